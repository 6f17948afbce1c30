// Package geo is plancheck's geometry layer: reading GeoJSON layers
// (ReadLayer, DecodeLayer) with every structural, coordinate and OGC
// validity problem kept per feature, coordinate reference systems (CGCS2000
// and WGS84 lon/lat, the CGCS2000 Gauss–Krüger zones EPSG:4513–4554, and
// the GCJ-02 and BD-09 basemap offsets), the spatial index and the
// prepared shapes rules pair features with, overlay through
// github.com/peterstace/simplefeatures, and geodesic areas.
//
// Geometry is held as github.com/paulmach/orb values in WGS84 lon/lat
// once read; polygons are in RFC 7946 orientation. Nothing read is
// repaired: a problem is reported and the feature marked invalid.
//
// geo knows nothing of plans, rules or the command line. Its errors say
// what is wrong and carry a type or sentinel (TooLargeError, ErrTooLarge,
// ErrUnreadable) from which a caller adds how to lift a limit; its
// problems carry a ProblemKind that planning and rules turn into their
// own findings. Formats other than GeoJSON live in sub-packages
// (geo/shapefile, geo/gpkg, geo/postgis) that return orb geometries and
// plain attribute values.
package geo
