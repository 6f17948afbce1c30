// Package planning models a plan set as plancheck checks it: the manifest
// (plancheck.yaml: layers, levels, horizons, CRS, field mappings, settings,
// decisions), the plan levels and their classification code tables
// (tables/*.csv: 城市用地分类, 土地利用分区, 三区三线 and the others), and
// each layer loaded into typed features.
//
// A layer is read from any source the package knows (layerSources in
// source.go: GeoJSON, ESRI Shapefile, GeoPackage, PostGIS); every source
// goes through geo's one reader, so a layer's structure, CRS, validity and
// attributes are judged alike whatever its format. What the reader or the
// manifest finds wrong with the input becomes an Issue with a Check kind;
// rules turns those into findings. Rules themselves, their names and the
// command line are above this package: planning neither prints nor exits,
// and its errors (ManifestError, wrapping ErrOutside where a path leaves
// the plan set) leave flag hints to the CLI.
package planning
