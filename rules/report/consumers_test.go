package report

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/plancheck/plancheck/rules"
)

// The tests in this file open each report with the program its users open
// it with: GDAL (QGIS reads GeoJSON through it) for conflicts.geojson and
// openpyxl for ledger.xlsx. .ci/run installs them (gdal-bin,
// python3-openpyxl); a test skips when its program is absent.

// consumers is changsha() with the findings that used to trouble consumers:
// a clockwise patch with a hole, a layer-level finding of a layer that is
// not on the map, a point, a self-intersecting invalid feature, a geometry
// problem without geometry, and a message longer than a DBF field.
func consumers() *rules.Result {
	r := changsha()
	cw := orb.Polygon{
		{{112.91, 28.11}, {112.91, 28.13}, {112.93, 28.13}, {112.93, 28.11}, {112.91, 28.11}},           // clockwise
		{{112.915, 28.115}, {112.925, 28.115}, {112.925, 28.125}, {112.915, 28.125}, {112.915, 28.115}}, // counter-clockwise hole
	}
	bowtie := orb.Polygon{{{112.95, 28.11}, {112.96, 28.12}, {112.96, 28.11}, {112.95, 28.12}, {112.95, 28.11}}}
	at := orb.Point{112.955, 28.115}
	at2 := orb.Point{113.001, 28.101}
	long := strings.Repeat("长", 100)
	r.Findings = append(r.Findings,
		rules.Finding{Rule: "construction-on-basic-farmland", Severity: rules.Error, Layers: []string{"changsha-master", "land-use"},
			Features: []string{"CW-1", "F-1"}, Classes: []string{"R2", "010"}, AreaM2: 1e6, Geometry: cw,
			Message: strings.Repeat("long message ", 30), MessageZH: long},
		rules.Finding{Rule: "horizon-mismatch", Severity: rules.Info, Layers: []string{"regional", "land-use"}, Message: "layer-level"},
		rules.Finding{Rule: "invalid-geometry", Severity: rules.Error, Layers: []string{"land-use"}, Features: []string{"BOW"},
			Geometry: bowtie, At: &at, Message: "self-intersection"},
		rules.Finding{Rule: "invalid-geometry", Severity: rules.Error, Layers: []string{"land-use"}, Features: []string{"NOGEOM"},
			At: &at2, Message: "no geometry"},
		rules.Finding{Rule: "invalid-geometry", Severity: rules.Warning, Layers: []string{"infrastructure"}, Features: []string{"STN"},
			Geometry: orb.Point{113.07, 28.255}, Message: "a station"},
	)
	return r
}

func TestGeoJSONRightHandRule(t *testing.T) {
	var buf bytes.Buffer
	if err := GeoJSON(&buf, consumers()); err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Features []struct {
			Geometry struct {
				Type        string
				Coordinates [][][][2]float64
			}
			Properties map[string]any
		}
	}
	if err := json.Unmarshal(buf.Bytes(), &fc); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for i, f := range fc.Features {
		if f.Geometry.Type != "MultiPolygon" || len(f.Geometry.Coordinates) == 0 {
			t.Errorf("feature %d: %s with %d polygons", i, f.Geometry.Type, len(f.Geometry.Coordinates))
		}
		kinds[f.Properties["geometry_kind"].(string)]++
		for _, p := range f.Geometry.Coordinates {
			for j, ring := range p {
				r := make(orb.Ring, len(ring))
				for k, pt := range ring {
					r[k] = orb.Point(pt)
				}
				if ccw := signedArea(r) > 0; ccw != (j == 0) {
					t.Errorf("feature %d (%v): ring %d is ccw=%v", i, f.Properties["features"], j, ccw)
				}
			}
		}
	}
	want := map[string]int{kindPatch: 5, kindMarker: 4, kindEnvelope: 1, kindExtent: 2}
	for k, n := range want {
		if kinds[k] != n {
			t.Errorf("%d %s features, want %d (all: %v)", kinds[k], k, n, kinds)
		}
	}
}

// TestGeoJSONInGDAL: ogrinfo sees one MultiPolygon layer with every
// finding, and ogr2ogr converts it to a Shapefile (and a GeoPackage)
// without losing a finding, with the flat fields filled.
func TestGeoJSONInGDAL(t *testing.T) {
	for _, p := range []string{"ogrinfo", "ogr2ogr"} {
		if _, err := exec.LookPath(p); err != nil {
			t.Skipf("%s not installed (apt-get install gdal-bin)", p)
		}
	}
	dir := t.TempDir()
	r := consumers()
	var buf bytes.Buffer
	if err := GeoJSON(&buf, r); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(dir, "conflicts.geojson")
	if err := os.WriteFile(src, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(name string, args ...string) string {
		t.Helper()
		out, err := exec.Command(name, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	n := len(r.Findings)
	summary := run("ogrinfo", "-ro", "-so", "-al", src)
	if c := strings.Count(summary, "Layer name:"); c != 1 {
		t.Errorf("ogrinfo sees %d layers, want 1:\n%s", c, summary)
	}
	for _, want := range []string{"Geometry: Multi Polygon", "Feature Count: " + strconv.Itoa(n), "layer_a: String", "message_en: String", "geometry_kind: String"} {
		if !strings.Contains(summary, want) {
			t.Errorf("ogrinfo does not say %q:\n%s", want, summary)
		}
	}
	// Every polygon is valid (GDAL's SQLite dialect with SpatiaLite, where
	// the build has it).
	if out, err := exec.Command("ogrinfo", "-ro", "-q", src, "-dialect", "sqlite", "-sql",
		"SELECT count(*) AS invalid FROM conflicts WHERE NOT ST_IsValid(geometry)").CombinedOutput(); err == nil && strings.Contains(string(out), "invalid (Integer)") {
		if !strings.Contains(string(out), "invalid (Integer) = 0") {
			t.Errorf("invalid polygons:\n%s", out)
		}
	} else {
		t.Logf("no ST_IsValid in this GDAL: %v %s", err, out)
	}
	// The list fields (layers, features, classes) cannot go into a DBF:
	// GDAL says ERROR 6 for each and drops them, keeping every feature;
	// the flat fields carry the same values. QGIS saves Shapefiles as
	// UTF-8; ogr2ogr needs to be told.
	for _, driver := range []struct {
		args []string
		file string
	}{{[]string{"-f", "ESRI Shapefile", "-lco", "ENCODING=UTF-8"}, "conflicts.shp"}, {[]string{"-f", "GPKG"}, "conflicts.gpkg"}} {
		dst := filepath.Join(dir, driver.file)
		run("ogr2ogr", append(driver.args, dst, src)...)
		info := run("ogrinfo", "-ro", "-al", dst)
		if !strings.Contains(info, "Feature Count: "+strconv.Itoa(n)) {
			t.Errorf("%s: not %d features:\n%s", driver.file, n, info)
		}
		if c := len(regexp.MustCompile(`(?m)^\s*MULTIPOLYGON|^\s*POLYGON`).FindAllString(info, -1)); c != n {
			t.Errorf("%s: %d features with a polygon, want %d", driver.file, c, n)
		}
		for _, want := range []string{"= CW-1", "= R2", "= changsha-master", "= 长长长"} {
			if !strings.Contains(info, want) {
				t.Errorf("%s lacks %q", driver.file, want)
			}
		}
	}
}

// TestGeoJSONAbsentLayerLevel: a resolved layer-level finding read back
// from a baseline carries the extent the baseline gave it; it stays an
// extent (of the layers as they are now), and the map does not draw it.
func TestGeoJSONAbsentLayerLevel(t *testing.T) {
	r := changsha()
	r.Baseline = &rules.BaselineInfo{Dir: "base"}
	r.Findings = append(r.Findings, rules.Finding{Rule: "horizon-mismatch", Severity: rules.Info, Layers: []string{"green-heart"},
		Geometry: box(112.9, 28.1, 113.1, 28.3), Message: "resolved", Review: &rules.Review{State: rules.StateAbsent}})
	var buf bytes.Buffer
	if err := GeoJSON(&buf, r); err != nil {
		t.Fatal(err)
	}
	line := ""
	for _, l := range strings.Split(buf.String(), "\n") {
		if strings.Contains(l, `"message":"resolved"`) {
			line = l
		}
	}
	// green-heart spans 113.03-113.10 E, 28.20-28.30 N.
	if !strings.Contains(line, `"geometry_kind":"extent"`) || !strings.Contains(line, `[[[[113.03,28.2],[113.1,28.2],[113.1,28.3],[113.03,28.3],[113.03,28.2]]]]`) {
		t.Errorf("resolved layer-level finding: %s", line)
	}
	if out := writeHTML(t, r); strings.Contains(out, ". resolved</title>") {
		t.Error("the map draws a resolved layer-level finding")
	}
}
