// Package geojson reads GeoJSON layers (RFC 7946) into geo.Layer values:
// ReadLayer from a file, DecodeLayer from a reader. A FeatureCollection,
// a single Feature or a bare geometry is read; so is the old-style crs
// member, which the manifest's CRS overrides.
//
// The reader builds no JSON tree. A byte scanner walks the top level of
// the file and cuts one feature at a time; batches of features are
// parsed on all cores (a one-walk parser for the common feature, the
// general parser for the rest) while the next batch is cut, so a large
// file never sits in memory. The GeoJSON structure rules are checked
// here: members and their types, ids, bbox, properties, UTF-8, and the
// shape of coordinates. The steps every format shares (placing in
// lon/lat, geometry types, validity, attributes) are geo.Assemble's.
//
// Problems with single features are returned in the layer's Problems;
// an error means the file as a whole could not be read: ErrUnreadable
// (not JSON, not GeoJSON) or geo.ErrTooLarge.
package geojson
