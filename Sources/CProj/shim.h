// Geodesics on the ellipsoid: PROJ's C implementation of Karney's algorithms (geodesic.h, from
// Debian libproj-dev, MIT), the same as GeographicLib's.
#include <geodesic.h>
