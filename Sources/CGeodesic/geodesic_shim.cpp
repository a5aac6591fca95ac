// The C interface of include/geodesic_shim.h over GeographicLib::Geodesic.
#include "geodesic_shim.h"

#include <GeographicLib/Geodesic.hpp>

struct edge_geodesic {
    GeographicLib::Geodesic solver;
};

edge_geodesic *edge_geodesic_new(double semi_major_axis, double flattening) {
    return new edge_geodesic{GeographicLib::Geodesic(semi_major_axis, flattening)};
}

void edge_geodesic_free(edge_geodesic *geodesic) { delete geodesic; }

void edge_geodesic_inverse(const edge_geodesic *geodesic, double lat1, double lon1, double lat2, double lon2,
                           double *s12, double *azi1, double *azi2) {
    geodesic->solver.Inverse(lat1, lon1, lat2, lon2, *s12, *azi1, *azi2);
}

void edge_geodesic_direct(const edge_geodesic *geodesic, double lat1, double lon1, double azi1, double s12,
                          double *lat2, double *lon2, double *azi2) {
    geodesic->solver.Direct(lat1, lon1, azi1, s12, *lat2, *lon2, *azi2);
}
