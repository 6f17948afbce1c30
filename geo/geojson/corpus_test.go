package geojson

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/plancheck/plancheck/geo"
)

// The peer corpora in testdata (see testdata/README.md): files other
// validators call good must read cleanly, and every bad file must give a
// clear error or finding, never a panic. Expectations are pinned per file
// so a change in behaviour shows up here.

// corpusGood lists the directories whose files must read with no
// geometry or feature problem (null-geometry, winding and geo.CRS remarks are
// allowed), except the files in corpusGoodExceptions.
var corpusGood = []string{
	"geojsonhint/good",
	"geojson-validator-chrieke/valid",
	"rfc7946-examples",
}

// corpusGoodExceptions are "good" files plancheck rejects on purpose.
var corpusGoodExceptions = map[string]corpusWant{
	"geojsonhint/good/issue82.geojson": {Outcome: "geometry", Message: `coordinate -149\.92383493947585 -107\.20901451037372 is out of range for EPSG:4326`,
		Reason: "geojsonhint checks structure only; latitudes of -107..-141 (and longitudes below -180) are not geo.WGS84, and an out-of-range coordinate is a geometry problem"},
	"geojson-validator-chrieke/valid/valid_geometry_geometrycollection_empty_geometries.geojson": {Outcome: "geometry", Message: `GeometryCollection has no geometries \(an empty geometry\)`,
		Reason: "RFC 7946 allows empty geometries, but a plan feature with one takes part in no rule: it is reported like an empty Polygon (issue 18), never dropped"},
}

// corpusBad lists the directories of bad or problematic files; each file
// must have an entry in corpusBadWant.
var corpusBad = []string{
	"geojsonhint/bad",
	"geojson-validator-chrieke/invalid_structure",
	"geojson-validator-chrieke/invalid_geometries",
	"geojson-validator-chrieke/problematic_geometries",
	"geojson-validator-chrieke/problematic_structure",
}

// corpusWant pins the outcome of reading one file.
type corpusWant struct {
	// Outcome is "unreadable" (DecodeLayer returns an error wrapping
	// ErrUnreadable), or the kinds of the layer's problems joined by "+"
	// in the order geometry, feature, null, winding, crs; "ok-by-design"
	// means no problem at all although the corpus calls the file bad.
	Outcome string
	// Message is a regexp that the error, or one of the problem messages,
	// must match.
	Message string
	Reason  string
	// Pending, when set, names a fix outside validity.go (described in
	// the report that added it) that is not applied yet; until it is, the
	// file gives PendingOutcome (default Outcome) with a message matching
	// PendingMessage. Once the fix lands the entry must drop these fields.
	Pending        string
	PendingOutcome string
	PendingMessage string
}

var corpusBadWant = map[string]corpusWant{
	// geojsonhint bad/ (the .result files hold geojsonhint's messages).
	"geojsonhint/bad/bad-duplicate-properties.geojson":     {Outcome: "unreadable", Message: `duplicate "type" member`, Reason: "ambiguous object"},
	"geojsonhint/bad/bad-featurelist.geojson":              {Outcome: "geometry", Message: `coordinates of a Polygon must be an array of linear rings`, Reason: "a number where a ring should be"},
	"geojsonhint/bad/bad-json.geojson":                     {Outcome: "unreadable", Message: `not JSON: .*byte offset 3[12]`, Reason: "syntax error"},
	"geojsonhint/bad/bad-object-type.geojson":              {Outcome: "unreadable", Message: `top-level "type" is not a string`, Reason: "type must be a string"},
	"geojsonhint/bad/bad-polygon-interiorring-rhr.geojson": {Outcome: "winding", Message: `interior ring 1 is counter-clockwise`, Reason: "RFC 7946 §3.1.6: parsers must not reject other windings; a warning"},
	"geojsonhint/bad/bad-polygonloop.geojson":              {Outcome: "geometry", Message: `coordinates of a Polygon must be an array of linear rings`, Reason: "positions where rings should be"},
	"geojsonhint/bad/bad-properties-as-array.geojson":      {Outcome: "feature+null", Message: `"properties" is an array, not an object`, Reason: "properties must be an object or null"},
	"geojsonhint/bad/badcoord.geojson":                     {Outcome: "geometry", Message: `coordinates of a Point must be a position`, Reason: "a string in a position"},
	"geojsonhint/bad/badcoordtype.geojson":                 {Outcome: "geometry", Message: `coordinates of a MultiPolygon must be an array of polygons`, Reason: "a number where a position should be"},
	"geojsonhint/bad/badfeature.geojson":                   {Outcome: "geometry", Message: `feature is not a JSON object`, Reason: "null in the features array"},
	"geojsonhint/bad/badfeatureid.geojson":                 {Outcome: "feature", Message: `"id" is \{\}; RFC 7946 allows a string or a number`, Reason: "id must be a string or number"},
	"geojsonhint/bad/bbox-4or6elements.geojson":            {Outcome: "feature", Message: `bbox`, Reason: "bbox must have 2n numbers"},
	"geojsonhint/bad/bbox-contains-string.geojson":         {Outcome: "feature", Message: `bbox`, Reason: "bbox must hold numbers"},
	"geojsonhint/bad/bbox-string.geojson":                  {Outcome: "feature", Message: `bbox`, Reason: "bbox must be an array"},
	"geojsonhint/bad/different-first-last.geojson":         {Outcome: "geometry", Message: `exterior ring is not closed .*at or near 100 0`, Reason: "unclosed ring; nothing is auto-closed"},
	"geojsonhint/bad/different-first-size.geojson": {Outcome: "winding", Message: `exterior ring is clockwise`,
		Reason: "the ring closes in 2D ([100,0] vs [100,0,4.9]); plancheck reads x y only, so only the winding remark remains"},
	"geojsonhint/bad/excessive_precision_truncated.geojson": {Outcome: "ok-by-design", Reason: "geojsonhint itself expects no message ([] result); precision is harmless"},
	"geojsonhint/bad/expected_object.geojson":               {Outcome: "feature+null", Message: `"properties" is a number, not an object`, Reason: "properties must be an object or null"},
	"geojsonhint/bad/false.geojson":                         {Outcome: "geometry", Message: `geometry is a boolean, not a GeoJSON geometry object`, Reason: "geometry must be an object or null"},
	"geojsonhint/bad/feature_changed_semantics.geojson":     {Outcome: "unreadable", Message: `a Feature has a "features" member`, Reason: "RFC 7946 §7.1: members must not change semantics"},
	"geojsonhint/bad/featurecollection-obj.geojson":         {Outcome: "unreadable", Message: `"features" is not an array`, Reason: "features must be an array"},
	"geojsonhint/bad/featurecollection-type-case.geojson":   {Outcome: "unreadable", Message: `top-level "type" is "featurecollection", not a GeoJSON type`, Reason: "type names are case-sensitive"},
	"geojsonhint/bad/featurecollection.geojson":             {Outcome: "unreadable", Message: `FeatureCollection has no "features" member`, Reason: "features is required"},
	"geojsonhint/bad/featurecollection_changed_semantics.geojson": {Outcome: "ok-by-design",
		Reason: "\"properties\" and \"coordinates\": null on a FeatureCollection are foreign members; plancheck reads neither, so they change nothing"},
	"geojsonhint/bad/geometry_changed_semantics.geojson":      {Outcome: "unreadable", Message: `"features" member`, Reason: "a Point with a features member is as ambiguous as a Feature with one"},
	"geojsonhint/bad/geometrycollection_nested.geojson":       {Outcome: "geometry", Message: `nested GeometryCollection`, Reason: "RFC 7946 §3.1.8"},
	"geojsonhint/bad/geometrycollection_single.geojson":       {Outcome: "ok-by-design", Reason: "a one-member GeometryCollection is valid GeoJSON (geojsonhint only advises against it)"},
	"geojsonhint/bad/multiple_problems.geojson":               {Outcome: "geometry+feature", Message: `feature "type" is "Foo", want "Feature"`, Reason: "several features, each with its own problems"},
	"geojsonhint/bad/multipoint-multidimension.geojson":       {Outcome: "geometry", Message: `coordinates of a MultiPoint must be an array of positions`, Reason: "one nesting level too many"},
	"geojsonhint/bad/multipoint-nondimension.geojson":         {Outcome: "geometry", Message: `coordinates of a MultiPoint must be an array of positions`, Reason: "one nesting level too few"},
	"geojsonhint/bad/nofeaturetype.geojson":                   {Outcome: "feature", Message: `feature "type" is "Featre", want "Feature"`, Reason: "misspelt type"},
	"geojsonhint/bad/notype.geojson":                          {Outcome: "unreadable", Message: `top-level object has no "type" member`, Reason: "type is required"},
	"geojsonhint/bad/point-labeled-as-a-multipolygon.geojson": {Outcome: "geometry", Message: `coordinates of a MultiPolygon must be an array of polygons`, Reason: "a position labelled MultiPolygon"},
	"geojsonhint/bad/point-string.geojson":                    {Outcome: "geometry", Message: `coordinates of a Point must be a position`, Reason: "a string, not a position"},
	"geojsonhint/bad/point-toofew.geojson":                    {Outcome: "geometry", Message: `position \[2\] has 1 number\(s\); a position needs at least 2`, Reason: "one-number position"},
	"geojsonhint/bad/point-toomany.geojson": {Outcome: "ok-by-design",
		Reason: "RFC 7946 §3.1.1 only says SHOULD NOT for more than 3 numbers; plancheck reads x y and ignores the rest"},
	"geojsonhint/bad/point.geojson":                 {Outcome: "geometry", Message: `Point has no "coordinates" member`, Reason: "coordinates missing"},
	"geojsonhint/bad/polygon_winding_order.geojson": {Outcome: "winding", Message: `exterior ring is clockwise`, Reason: "a warning (RFC 7946 §3.1.6)"},
	"geojsonhint/bad/rootstring.geojson":            {Outcome: "unreadable", Message: `top level is not a JSON object`, Reason: "a JSON string"},
	"geojsonhint/bad/short-line.geojson":            {Outcome: "geometry", Message: `LineString has 1 position\(s\); it needs at least 2 at or near 100 0`, Reason: "too short"},
	"geojsonhint/bad/short-linearring.geojson":      {Outcome: "geometry", Message: `exterior ring has 3 position\(s\); a linear ring needs at least 4`, Reason: "too short"},
	"geojsonhint/bad/short-multilinestring.geojson": {Outcome: "geometry", Message: `LineString has 1 position\(s\); it needs at least 2 at or near 102 2`, Reason: "too short"},
	"geojsonhint/bad/stringcoord.geojson":           {Outcome: "geometry", Message: `coordinates of a Point must be a position`, Reason: "strings in a position"},
	"geojsonhint/bad/unknowntype.geojson":           {Outcome: "unreadable", Message: `top-level "type" is "FooBar", not a GeoJSON type`, Reason: "unknown type"},

	// geojson-validator invalid_structure/.
	"geojson-validator-chrieke/invalid_structure/invalid_feature_geometry_is_string.geojson":           {Outcome: "geometry", Message: `geometry is a string, not a GeoJSON geometry object`, Reason: "geometry must be an object"},
	"geojson-validator-chrieke/invalid_structure/invalid_feature_id_type.geojson":                      {Outcome: "feature", Message: `"id" is \{\}`, Reason: "id must be a string or number"},
	"geojson-validator-chrieke/invalid_structure/invalid_feature_no_porperties.geojson":                {Outcome: "geometry+feature", Message: `no "properties" member`, Reason: "properties missing; the ring is also too short"},
	"geojson-validator-chrieke/invalid_structure/invalid_feature_properties_is_array.geojson":          {Outcome: "feature+null", Message: `"properties" is an array`, Reason: "properties must be an object"},
	"geojson-validator-chrieke/invalid_structure/invalid_feature_properties_is_int.geojson":            {Outcome: "feature+null", Message: `"properties" is a number`, Reason: "properties must be an object"},
	"geojson-validator-chrieke/invalid_structure/invalid_feature_wrong_geometry_key.geojson":           {Outcome: "geometry", Message: `feature has no "geometry" member`, Reason: "geometry member missing"},
	"geojson-validator-chrieke/invalid_structure/invalid_featurecollcetion_features_is_object.geojson": {Outcome: "unreadable", Message: `"features" is not an array`, Reason: "features must be an array"},
	"geojson-validator-chrieke/invalid_structure/invalid_featurecollcetion_no_features_member.geojson": {Outcome: "unreadable", Message: `FeatureCollection has no "features" member`, Reason: "features is required"},
	"geojson-validator-chrieke/invalid_structure/invalid_featurecollection_crs_defined.geojson": {Outcome: "geometry+crs", Message: `EPSG::32632"\}\} is not a supported EPSG name`,
		Reason: "UTM 32N is not a supported CRS: the crs member is ignored with a warning, and the metre coordinates are out of range for geo.WGS84"},
	"geojson-validator-chrieke/invalid_structure/invalid_featurecollection_feature_nullfeature.geojson": {Outcome: "geometry", Message: `feature is not a JSON object`, Reason: "null feature"},
	"geojson-validator-chrieke/invalid_structure/invalid_featurecollection_nulltype.geojson":            {Outcome: "unreadable", Message: `"features" is not an array`, Reason: "type {} and features null"},
	"geojson-validator-chrieke/invalid_structure/invalid_featurecollection_type_lowercase.geojson":      {Outcome: "unreadable", Message: `"features" is not an array`, Reason: "features {} (and a lowercase type)"},
	"geojson-validator-chrieke/invalid_structure/invalid_featurecollection_unknown_type.geojson":        {Outcome: "unreadable", Message: `"features" is not an array`, Reason: "features null (and an unknown type)"},
	"geojson-validator-chrieke/invalid_structure/invalid_geometry_bbox_not4or6.geojson":                 {Outcome: "feature", Message: `bbox`, Reason: "bbox must have 2n numbers"},
	"geojson-validator-chrieke/invalid_structure/invalid_geometry_bbox_not_list.geojson":                {Outcome: "feature", Message: `bbox`, Reason: "bbox must be an array"},
	"geojson-validator-chrieke/invalid_structure/invalid_geometry_bbox_not_numbers.geojson":             {Outcome: "feature", Message: `bbox`, Reason: "bbox must hold numbers"},
	"geojson-validator-chrieke/invalid_structure/invalid_geometry_coordinates_1d.geojson":               {Outcome: "geometry", Message: `coordinates of a Polygon must be an array of linear rings`, Reason: "a number where a ring should be"},
	"geojson-validator-chrieke/invalid_structure/invalid_geometry_coordinates_4d.geojson": {Outcome: "ok-by-design",
		Reason: "RFC 7946 §3.1.1 only says SHOULD NOT for more than 3 numbers; plancheck reads x y and ignores the rest"},
	"geojson-validator-chrieke/invalid_structure/invalid_geometry_coordinates_empty_position.geojson":       {Outcome: "geometry", Message: `position \[\] has 0 number\(s\)`, Reason: "empty position"},
	"geojson-validator-chrieke/invalid_structure/invalid_geometry_coordinates_missing.geojson":              {Outcome: "geometry", Message: `Polygon has no "coordinates" member`, Reason: "coordinates missing"},
	"geojson-validator-chrieke/invalid_structure/invalid_geometry_coordinates_string.geojson":               {Outcome: "geometry", Message: `coordinates of a Point must be a position`, Reason: "a string"},
	"geojson-validator-chrieke/invalid_structure/invalid_geometry_depth_deep_point.geojson":                 {Outcome: "geometry", Message: `coordinates of a Point must be a position`, Reason: "one level too deep"},
	"geojson-validator-chrieke/invalid_structure/invalid_geometry_depth_deep_polygon.geojson":               {Outcome: "geometry", Message: `coordinates of a Polygon must be an array of linear rings`, Reason: "one level too deep"},
	"geojson-validator-chrieke/invalid_structure/invalid_geometry_depth_shallow_linestring.geojson":         {Outcome: "geometry", Message: `coordinates of a LineString must be an array of positions`, Reason: "one level too shallow"},
	"geojson-validator-chrieke/invalid_structure/invalid_geometry_depth_shallow_multipolygon.geojson":       {Outcome: "geometry", Message: `coordinates of a MultiPolygon must be an array of polygons`, Reason: "one level too shallow"},
	"geojson-validator-chrieke/invalid_structure/invalid_geometry_depth_shallow_polygon.geojson":            {Outcome: "geometry", Message: `coordinates of a Polygon must be an array of linear rings`, Reason: "one level too shallow"},
	"geojson-validator-chrieke/invalid_structure/invalid_geometry_geometrycollection_nested.geojson":        {Outcome: "geometry", Message: `nested GeometryCollection`, Reason: "RFC 7946 §3.1.8"},
	"geojson-validator-chrieke/invalid_structure/invalid_geometry_geometrycollection_null_geometry.geojson": {Outcome: "geometry", Message: `geometry is a boolean`, Reason: "false in geometries"},
	"geojson-validator-chrieke/invalid_structure/invalid_geometry_geometrycollection_single.geojson": {Outcome: "ok-by-design",
		Reason: "a one-member GeometryCollection is valid GeoJSON (only advised against)"},
	"geojson-validator-chrieke/invalid_structure/invalid_geometry_missing_type.geojson":        {Outcome: "unreadable", Message: `top-level object has no "type" member`, Reason: "type is required"},
	"geojson-validator-chrieke/invalid_structure/invalid_geometry_misslabeled_point.geojson":   {Outcome: "geometry", Message: `coordinates of a MultiPolygon must be an array of polygons`, Reason: "a position labelled MultiPolygon"},
	"geojson-validator-chrieke/invalid_structure/invalid_geometry_wrong_geometry_type.geojson": {Outcome: "unreadable", Message: `"SomeThingElse", not a GeoJSON type`, Reason: "unknown type"},

	// geojson-validator invalid_geometries/.
	"geojson-validator-chrieke/invalid_geometries/invalid_exterior_not_ccw.geojson":                  {Outcome: "winding", Message: `exterior ring is clockwise`, Reason: "RFC 7946 §3.1.6: a warning, not a rejection"},
	"geojson-validator-chrieke/invalid_geometries/invalid_incorrect_geometry_data_type.geojson":      {Outcome: "geometry", Message: `coordinates of a LineString must be an array of positions`, Reason: "polygon coordinates labelled LineString"},
	"geojson-validator-chrieke/invalid_geometries/invalid_inner_and_exterior_ring_intersect.geojson": {Outcome: "geometry", Message: `exterior ring and interior ring 1 cross.* at or near 13\.\d+ 52\.\d+`, Reason: "hole crosses its shell"},
	"geojson-validator-chrieke/invalid_geometries/invalid_interior_not_cw.geojson":                   {Outcome: "winding", Message: `interior ring 1 is counter-clockwise`, Reason: "RFC 7946 §3.1.6: a warning"},
	"geojson-validator-chrieke/invalid_geometries/invalid_less_three_unique_nodes.geojson":           {Outcome: "geometry", Message: `exterior ring has 3 position\(s\)`, Reason: "too few positions"},
	"geojson-validator-chrieke/invalid_geometries/invalid_unclosed.geojson":                          {Outcome: "geometry", Message: `exterior ring is not closed`, Reason: "nothing is auto-closed"},

	// geojson-validator problematic_geometries/ and problematic_structure/.
	"geojson-validator-chrieke/problematic_geometries/problematic_3d_coordinates.geojson":                            {Outcome: "ok-by-design", Reason: "3D positions are valid; z is ignored"},
	"geojson-validator-chrieke/problematic_geometries/problematic_crosses_antimeridian.geojson":                      {Outcome: "geometry", Message: `coordinate -227\.\d+ 33\.\d+ is out of range for EPSG:4326`, Reason: "longitude beyond -180 (RFC 7946 §3.1.9 wants the geometry cut instead)"},
	"geojson-validator-chrieke/problematic_geometries/problematic_duplicate_nodes.geojson":                           {Outcome: "ok-by-design", Reason: "repeated consecutive positions are valid (OGC, JTS)"},
	"geojson-validator-chrieke/problematic_geometries/problematic_excessive_coordinate_precision.geojson":            {Outcome: "ok-by-design", Reason: "precision is harmless"},
	"geojson-validator-chrieke/problematic_geometries/problematic_excessive_vertices.geojson":                        {Outcome: "ok-by-design", Reason: "many vertices are valid"},
	"geojson-validator-chrieke/problematic_geometries/problematic_feature_null_geometry.geojson":                     {Outcome: "null", Message: `null geometry`, Reason: "allowed by RFC 7946; a warning"},
	"geojson-validator-chrieke/problematic_geometries/problematic_holes.geojson":                                     {Outcome: "ok-by-design", Reason: "a valid polygon with holes"},
	"geojson-validator-chrieke/problematic_geometries/problematic_multitype_geometry_with_just_one_geometry.geojson": {Outcome: "ok-by-design", Reason: "a one-part Multi* geometry is valid"},
	"geojson-validator-chrieke/problematic_geometries/problematic_outside_lat_lon_boundaries.geojson":                {Outcome: "geometry", Message: `coordinate -190\.624027 52\.32646388 is out of range`, Reason: "longitude below -180"},
	"geojson-validator-chrieke/problematic_geometries/problematic_self_intersection_large.geojson":                   {Outcome: "geometry", Message: `exterior ring crosses itself at or near 13\.\d+ 52\.\d+`, Reason: "bow-tie"},
	"geojson-validator-chrieke/problematic_geometries/problematic_self_intersection_small.geojson":                   {Outcome: "geometry", Message: `exterior ring crosses itself at or near 13\.\d+ 52\.\d+`, Reason: "bow-tie"},
	"geojson-validator-chrieke/problematic_geometries/problematic_wrong_bbox_coordinate_order.geojson": {Outcome: "ok-by-design",
		Reason: "its bboxes are in fact [west, south, east, north] as RFC 7946 §5 wants"},
	"geojson-validator-chrieke/problematic_geometries/problematic_zero_length_linestring.geojson": {Outcome: "geometry", Message: `LineString has fewer than 2 distinct positions`, Reason: "zero-length line"},
	"geojson-validator-chrieke/problematic_structure/invalid_crs_defined.geojson": {Outcome: "geometry+crs", Message: `EPSG::32632"\}\} is not a supported EPSG name`,
		Reason: "unsupported crs member ignored with a warning; metre coordinates out of range"},
}

// corpusFiles lists the .geojson files under testdata/dir.
func corpusFiles(tb testing.TB, dir string) []string {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", dir, "*.geojson"))
	if err != nil {
		tb.Fatal(err)
	}
	if len(files) == 0 {
		tb.Fatalf("no .geojson files in testdata/%s", dir)
	}
	return files
}

// corpusKey is a file's path relative to testdata, with slashes.
func corpusKey(path string) string {
	return filepath.ToSlash(strings.TrimPrefix(path, "testdata"+string(filepath.Separator)))
}

var problemKindNames = [...]string{
	geo.ProblemGeometry:     "geometry",
	geo.ProblemFeature:      "feature",
	geo.ProblemNullGeometry: "null",
	geo.ProblemWinding:      "winding",
	geo.ProblemCRS:          "crs",
}

// corpusOutcome reads a file and sums up what DecodeLayer said: the
// outcome word and the messages.
func corpusOutcome(t *testing.T, path string) (outcome string, messages []string, layer *geo.Layer) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	layer, err = DecodeLayer(context.Background(), bytes.NewReader(b), filepath.Base(path), geo.ReadOptions{})
	if err != nil {
		if !errors.Is(err, ErrUnreadable) {
			t.Errorf("error %v does not wrap ErrUnreadable", err)
		}
		if !strings.Contains(err.Error(), filepath.Base(path)) {
			t.Errorf("error %q does not name the file", err)
		}
		if layer != nil {
			t.Errorf("DecodeLayer returned both a layer and an error")
		}
		return "unreadable", []string{err.Error()}, nil
	}
	kinds := map[geo.ProblemKind]bool{}
	for _, p := range layer.Problems {
		kinds[p.Kind] = true
		messages = append(messages, p.Message)
		if strings.TrimSpace(p.Message) == "" {
			t.Errorf("problem of kind %s has an empty message", problemKindNames[p.Kind])
		}
	}
	checkLayerInvariants(t, layer)
	var parts []string
	for k, name := range problemKindNames {
		if kinds[geo.ProblemKind(k)] {
			parts = append(parts, name)
		}
	}
	if len(parts) == 0 {
		return "ok-by-design", nil, layer
	}
	return strings.Join(parts, "+"), messages, layer
}

// checkLayerInvariants: one geometry problem per feature at most, Invalid
// set exactly on features with one, and every usable geometry valid.
func checkLayerInvariants(tb testing.TB, l *geo.Layer) {
	tb.Helper()
	geomProblems, nullProblems := map[int]int{}, map[int]int{}
	for _, p := range l.Problems {
		if p.Feature < -1 || p.Feature >= len(l.Features) {
			tb.Errorf("problem %q names feature %d of %d", p.Message, p.Feature, len(l.Features))
			continue
		}
		switch p.Kind {
		case geo.ProblemGeometry:
			geomProblems[p.Feature]++
		case geo.ProblemNullGeometry:
			nullProblems[p.Feature]++
		}
	}
	// Feature accounting (issue 18): every feature read is usable by the
	// rules (a geometry with positions, not Invalid), or has exactly one
	// problem saying why not: a geometry problem, or a null geometry.
	for i, f := range l.Features {
		usable := !f.Invalid && f.Geometry != nil && geo.PointCount(f.Geometry) > 0
		switch {
		case usable && nullProblems[i] > 0:
			tb.Errorf("feature %d has a geometry but a null-geometry problem", i)
		case !usable && geomProblems[i]+nullProblems[i] != 1:
			tb.Errorf("feature %d is not usable (Invalid=%v, geometry %v) but has %d geometry and %d null problems, want exactly one", i, f.Invalid, f.Geometry, geomProblems[i], nullProblems[i])
		}
	}
	for f, n := range geomProblems {
		if n != 1 {
			tb.Errorf("feature %d has %d geometry problems, want 1", f, n)
		}
	}
	for i, f := range l.Features {
		if f.Index != i {
			tb.Errorf("feature %d has Index %d", i, f.Index)
		}
		if f.Invalid != (geomProblems[i] > 0) {
			tb.Errorf("feature %d: Invalid=%v but %d geometry problem(s)", i, f.Invalid, geomProblems[i])
		}
		if !f.Invalid && f.Geometry != nil {
			if msg, _ := geo.Validity(f.Geometry); msg != "" {
				tb.Errorf("feature %d is not marked invalid but geo.Validity says %q", i, msg)
			}
		}
	}
}

func TestCorpusGood(t *testing.T) {
	for _, dir := range corpusGood {
		for _, path := range corpusFiles(t, dir) {
			key := corpusKey(path)
			t.Run(key, func(t *testing.T) {
				outcome, msgs, _ := corpusOutcome(t, path)
				if w, ok := corpusGoodExceptions[key]; ok {
					checkCorpusWant(t, w, outcome, msgs)
					return
				}
				if outcome == "unreadable" {
					t.Fatalf("good file rejected: %s", msgs[0])
				}
				for _, bad := range []string{"geometry", "feature"} {
					if strings.Contains("+"+outcome+"+", "+"+bad+"+") {
						t.Errorf("good file has %s problems: %q", bad, msgs)
					}
				}
			})
		}
	}
	for key := range corpusGoodExceptions {
		if _, err := os.Stat(filepath.Join("testdata", filepath.FromSlash(key))); err != nil {
			t.Errorf("corpusGoodExceptions: %v", err)
		}
	}
}

func TestCorpusBad(t *testing.T) {
	seen := map[string]bool{}
	for _, dir := range corpusBad {
		for _, path := range corpusFiles(t, dir) {
			key := corpusKey(path)
			seen[key] = true
			t.Run(key, func(t *testing.T) {
				w, ok := corpusBadWant[key]
				if !ok {
					outcome, msgs, _ := corpusOutcome(t, path)
					t.Fatalf("no entry in corpusBadWant; it reads as %q %q", outcome, msgs)
				}
				if w.Reason == "" {
					t.Errorf("entry has no reason")
				}
				outcome, msgs, _ := corpusOutcome(t, path)
				checkCorpusWant(t, w, outcome, msgs)
				checkHintResult(t, path, w)
			})
		}
	}
	var stale []string
	for key := range corpusBadWant {
		if !seen[key] {
			stale = append(stale, key)
		}
	}
	sort.Strings(stale)
	for _, key := range stale {
		t.Errorf("corpusBadWant lists %s, which is not in the corpus", key)
	}
}

func checkCorpusWant(t *testing.T, w corpusWant, outcome string, msgs []string) {
	t.Helper()
	matches := func(want, re string) bool {
		if outcome != want {
			return false
		}
		if re == "" {
			return true
		}
		r := regexp.MustCompile(re)
		for _, m := range msgs {
			if r.MatchString(m) {
				return true
			}
		}
		return false
	}
	if w.Outcome == "ok-by-design" && w.Message != "" {
		t.Fatalf("an ok-by-design entry has no message to match")
	}
	desired := matches(w.Outcome, w.Message)
	if w.Pending == "" {
		if !desired {
			t.Errorf("got %s %q, want %s matching %q (%s)", outcome, msgs, w.Outcome, w.Message, w.Reason)
		}
		return
	}
	pendingOutcome := w.PendingOutcome
	if pendingOutcome == "" {
		pendingOutcome = w.Outcome
	}
	switch {
	case desired:
		t.Errorf("pending fix %q has landed (got %s %q): drop the Pending fields of this entry", w.Pending, outcome, msgs)
	case matches(pendingOutcome, w.PendingMessage):
		t.Logf("pending fix: %s", w.Pending)
	default:
		t.Errorf("got %s %q; want %s matching %q (%s), or while %q is pending, %s matching %q",
			outcome, msgs, w.Outcome, w.Message, w.Reason, w.Pending, pendingOutcome, w.PendingMessage)
	}
}

// checkHintResult cross-checks a geojsonhint bad file against its .result:
// where geojsonhint expects no message, plancheck must say nothing either;
// where plancheck says nothing although geojsonhint does, the entry's
// Reason explains why.
func checkHintResult(t *testing.T, path string, w corpusWant) {
	t.Helper()
	b, err := os.ReadFile(strings.TrimSuffix(path, ".geojson") + ".result")
	if err != nil {
		return // only geojsonhint has .result files
	}
	var hint []struct {
		Message string `json:"message"`
	}
	if err := json.Unmarshal(b, &hint); err != nil {
		t.Fatalf(".result: %v", err)
	}
	switch {
	case len(hint) == 0 && w.Outcome != "ok-by-design":
		t.Errorf("geojsonhint expects no message but the entry wants %s", w.Outcome)
	case len(hint) > 0 && w.Outcome == "ok-by-design":
		t.Logf("geojsonhint says %q; accepted by design: %s", hint[0].Message, w.Reason)
	}
}
