package planning

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/plancheck/plancheck/geo"
)

// BenchmarkLoadLayer reads one land-use layer end to end (reader, CRS,
// validity, attributes, classes) from GeoJSON and from the same features
// as a Shapefile written by ogr2ogr, to compare the cost per feature of
// the formats as plancheck loads them (issue 15). The layer is
// fixtures/czt's land-use layer repeated side by side 40 times (21,720
// parcels, some with holes, some multi-part).
//
//	go test ./planning -run '^$' -bench LoadLayer -benchmem
func BenchmarkLoadLayer(b *testing.B) {
	if _, err := exec.LookPath("ogr2ogr"); err != nil {
		b.Skip("ogr2ogr not installed (Debian gdal-bin)")
	}
	const copies = 40
	dir := b.TempDir()
	gj := filepath.Join(dir, "land-use.geojson")
	n := writeRepeated(b, "../fixtures/czt/layers/land-use.geojson", gj, copies)
	shp := filepath.Join(dir, "land-use.shp")
	if out, err := exec.Command("ogr2ogr", "-f", "ESRI Shapefile", shp, gj, "-lco", "ENCODING=UTF-8").CombinedOutput(); err != nil {
		b.Fatalf("ogr2ogr: %v\n%s", err, out)
	}
	for _, tc := range []struct{ format, path string }{{"geojson", gj}, {"shapefile", shp}} {
		b.Run("format="+tc.format, func(b *testing.B) {
			spec := LayerSpec{Name: "land-use", Level: LandUse, File: filepath.Base(tc.path), Path: tc.path, CRS: geo.WGS84}
			for b.Loop() {
				l, _, err := LoadLayer(context.Background(), spec)
				if err != nil || len(l.Features) != n {
					b.Fatal(err, len(l.Features))
				}
			}
			b.ReportMetric(float64(b.Elapsed())/float64(time.Duration(b.N)*time.Duration(n)), "ns/feature")
		})
	}
}

// writeRepeated writes the features of a FeatureCollection copies times,
// each copy shifted 0.5° east of the last, and returns the feature count.
func writeRepeated(b *testing.B, src, dst string, copies int) int {
	b.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		b.Fatal(err)
	}
	var fc struct {
		Features []map[string]any `json:"features"`
	}
	if err := json.Unmarshal(data, &fc); err != nil {
		b.Fatal(err)
	}
	var out []map[string]any
	for k := range copies {
		for _, f := range fc.Features {
			g := f["geometry"].(map[string]any)
			shifted := map[string]any{"type": g["type"], "coordinates": shiftCoords(g["coordinates"], 0.5*float64(k))}
			props := map[string]any{}
			for k, v := range f["properties"].(map[string]any) {
				props[k] = v
			}
			props["id"] = fmt.Sprintf("%v-%d", props["id"], k) // ids stay unique, as in a real layer
			out = append(out, map[string]any{"type": "Feature", "properties": props, "geometry": shifted})
		}
	}
	text, err := json.Marshal(map[string]any{"type": "FeatureCollection", "features": out})
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(dst, text, 0o644); err != nil {
		b.Fatal(err)
	}
	return len(out)
}

func shiftCoords(c any, dx float64) any {
	switch c := c.(type) {
	case []any:
		if len(c) >= 2 {
			if x, ok := c[0].(float64); ok {
				return append([]any{x + dx}, c[1:]...)
			}
		}
		out := make([]any, len(c))
		for i, v := range c {
			out[i] = shiftCoords(v, dx)
		}
		return out
	}
	return c
}
