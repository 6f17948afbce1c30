package shapefile

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

// ogr2ogr runs GDAL's converter, skipping the test when it is absent.
func ogr2ogr(t *testing.T, args ...string) {
	t.Helper()
	if _, err := exec.LookPath("ogr2ogr"); err != nil {
		t.Skip("ogr2ogr not installed (apt-get install gdal-bin)")
	}
	if out, err := exec.Command("ogr2ogr", args...).CombinedOutput(); err != nil {
		t.Fatalf("ogr2ogr %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// TestGDALFixtures converts every layer of fixtures/czt to Shapefiles
// with ogr2ogr as bureaus receive them (UTF-8 and GBK .dbf, lon/lat and
// CGCS2000 Gauss–Krüger CM 114E) and compares each, feature by feature,
// with its GeoJSON source. The layer of planted invalid geometry is left
// out: ogr2ogr does not keep what it holds (unclosed rings) as it is.
func TestGDALFixtures(t *testing.T) {
	if _, err := exec.LookPath("ogr2ogr"); err != nil {
		t.Skip("ogr2ogr not installed (apt-get install gdal-bin)")
	}
	if testing.Short() {
		t.Skip("short")
	}
	layers, _ := filepath.Glob("../../fixtures/czt/layers/*.geojson")
	if len(layers) == 0 {
		t.Fatal("no fixture layers")
	}
	for _, src := range layers {
		name := strings.TrimSuffix(filepath.Base(src), ".geojson")
		if name == "qa-invalid" {
			continue
		}
		all := readSource(t, src)
		// A Shapefile holds one geometry type: a mixed layer becomes one
		// file per type.
		kinds := map[string][]*srcFeature{}
		var order []string
		for _, f := range all {
			k := strings.TrimPrefix(f.Raw.Type, "Multi")
			if _, ok := kinds[k]; !ok {
				order = append(order, k)
			}
			kinds[k] = append(kinds[k], f)
		}
		projected := name == "zhuzhou-master" // its coordinates are EPSG:4547 already
		for _, kind := range order {
			want := kinds[kind]
			variants := [][]string{{"-lco", "ENCODING=UTF-8"}, {"-lco", "ENCODING=GBK"}}
			if projected {
				variants = [][]string{{"-lco", "ENCODING=UTF-8", "-a_srs", "EPSG:4547"}, {"-lco", "ENCODING=GBK", "-a_srs", "EPSG:4547"}}
			} else {
				variants = append(variants, []string{"-lco", "ENCODING=GBK", "-t_srs", "EPSG:4547"})
			}
			for _, v := range variants {
				t.Run(name+"/"+kind+"/"+strings.Join(v, " "), func(t *testing.T) {
					dir := t.TempDir()
					out := filepath.Join(dir, "layer.shp")
					args := append([]string{"-f", "ESRI Shapefile", out, src, "-where", "OGR_GEOMETRY LIKE '%" + strings.ToUpper(kind) + "'"}, v...)
					ogr2ogr(t, args...)
					l := mustRead(t, out, Options{})
					if l.Projection.CRS == nil {
						t.Fatalf("projection not recognised: %+v", l.Projection)
					}
					tol := 0.0
					crs := l.Projection.CRS
					if strings.Contains(strings.Join(v, " "), "-t_srs") {
						tol = 1e-9 // PROJ forward, geo's Krüger series back
					} else {
						crs = nil
					}
					compareLayer(t, l, want, crs, tol)
				})
			}
		}
	}
}

// TestRingAssemblyAgreesWithGDAL writes cases of TestAssemble as
// Shapefiles and has ogr2ogr read them (to RFC 7946 GeoJSON): GDAL must
// make the same polygons of the rings.
//
// One difference is deliberate: given one clockwise ring, GDAL takes every
// counter-clockwise ring for its hole without testing containment, so a
// ring outside the exterior becomes a hole outside its shell (invalid).
// We test containment, as the format defines holes, read such a ring as
// an exterior of its own and say so (WarnRingOrder); TestAssemble has
// those cases.
func TestRingAssemblyAgreesWithGDAL(t *testing.T) {
	cases := map[string][][]orb.Point{
		"shell and hole":     {cw(0, 0, 10, 10), ccw(2, 2, 4, 4)},
		"holes out of order": {ccw(22, 2, 24, 4), cw(0, 0, 10, 10), ccw(2, 2, 4, 4), cw(20, 0, 30, 10)},
		"nested islands":     {cw(0, 0, 50, 50), ccw(5, 5, 45, 45), cw(10, 10, 40, 40), ccw(20, 20, 30, 30)},
		"two shells, orphan": {cw(0, 0, 4, 4), cw(20, 0, 24, 4), ccw(10, 0, 14, 4)},
	}
	for name, rings := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			shp := writeLayer(t, dir, "x", Polygon, [][]byte{recordParts(Polygon, rings)}, "UTF-8")
			out := filepath.Join(dir, "x.geojson")
			ogr2ogr(t, "-f", "GeoJSON", out, shp, "-lco", "RFC7946=YES")
			l := mustRead(t, shp, Options{})
			b, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if !json.Valid(b) {
				t.Fatalf("ogr2ogr wrote %s", b)
			}
			gdal := readSource(t, out)
			if got, want := describe(l.Features[0].Geometry), describe(gdal[0].Geometry); got != want {
				t.Errorf("we read %s\nGDAL reads %s", got, want)
			}
		})
	}
}
