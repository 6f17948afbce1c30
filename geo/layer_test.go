package geo

import (
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/paulmach/orb"
)

// readTestLayer reads the Polygon and MultiPolygon features of a GeoJSON
// FeatureCollection for the tests of this package, which cannot import
// geo/geojson: encoding/json reads them and BuildLayer judges them as
// geo/geojson does. A feature of another type has no geometry.
func readTestLayer(tb testing.TB, path string, opts ReadOptions) *Layer {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	var fc struct {
		Features []struct {
			Geometry struct {
				Type        string
				Coordinates json.RawMessage
			}
		}
	}
	if err := json.Unmarshal(data, &fc); err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	records := make([]Record, len(fc.Features))
	for i, f := range fc.Features {
		records[i].Number = i + 1
		var err error
		switch f.Geometry.Type {
		case "Polygon":
			var p orb.Polygon
			err = json.Unmarshal(f.Geometry.Coordinates, &p)
			records[i].Geometry = p
		case "MultiPolygon":
			var mp orb.MultiPolygon
			err = json.Unmarshal(f.Geometry.Coordinates, &mp)
			records[i].Geometry = mp
		}
		if err != nil {
			tb.Fatalf("%s: feature %d: %v", path, i, err)
		}
	}
	l, err := BuildLayer(context.Background(), path, len(records), func(i int) Record { return records[i] }, opts)
	if err != nil {
		tb.Fatal(err)
	}
	return l
}
