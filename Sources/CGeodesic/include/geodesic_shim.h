// Karney's geodesics from GeographicLib (Debian libgeographiclib-dev, MIT), behind a C interface
// for Swift: one ellipsoid's solver, and the inverse and direct problems on it.
#ifndef EDGE_NODE_GEODESIC_SHIM_H
#define EDGE_NODE_GEODESIC_SHIM_H

#ifdef __cplusplus
extern "C" {
#endif

/// A solver for one ellipsoid (semi-major axis in metres, flattening); free it with
/// edge_geodesic_free.
typedef struct edge_geodesic edge_geodesic;

edge_geodesic *edge_geodesic_new(double semi_major_axis, double flattening);
void edge_geodesic_free(edge_geodesic *geodesic);

/// Distance (metres) and azimuths (degrees) from point 1 to point 2.
void edge_geodesic_inverse(const edge_geodesic *geodesic, double lat1, double lon1, double lat2, double lon2,
                           double *s12, double *azi1, double *azi2);

/// Where the geodesic from point 1 at azimuth azi1 ends after s12 metres, and its azimuth there.
void edge_geodesic_direct(const edge_geodesic *geodesic, double lat1, double lon1, double azi1, double s12,
                          double *lat2, double *lon2, double *azi2);

#ifdef __cplusplus
}
#endif

#endif
