// Package geo is plancheck's geometry layer: the layers every input
// format is read into (Layer, Feature, Problem) and the checks they share,
// coordinate reference systems (CGCS2000 and WGS84 lon/lat, the CGCS2000
// Gauss–Krüger zones EPSG:4513–4554, and the GCJ-02 and BD-09 basemap
// offsets), the spatial index and the prepared shapes rules pair features
// with, overlay through github.com/peterstace/simplefeatures, and geodesic
// areas.
//
// Geometry is held as github.com/paulmach/orb values in WGS84 lon/lat
// once read; polygons are in RFC 7946 orientation. Nothing read is
// repaired: a problem is reported and the feature marked invalid.
//
// Formats live in sub-packages that import geo: geo/geojson, and
// geo/shapefile, geo/gpkg and geo/postgis, which return orb geometries
// and plain attribute values. Each format's features come to geo the
// same way, so every format is judged alike: a reader of records hands
// them to BuildLayer; a reader that finds problems of its own and decodes
// in parallel, as geo/geojson does, builds RawFeatures and hands them to
// Assemble. Either way geo places each geometry in lon/lat and checks
// coordinates, rings, the allowed geometry types, the vertex limit and
// OGC validity, and types attributes through ReadOptions.Attributes, over
// Properties, a view of properties held as JSON text (RawProperty).
//
// geo knows nothing of plans, rules or the command line. Its errors say
// what is wrong and carry a type or sentinel (TooLargeError, ErrTooLarge)
// from which a caller adds how to lift a limit; its problems carry a
// ProblemKind that planning and rules turn into their own findings.
package geo
