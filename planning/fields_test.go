package planning

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMappedFieldNoFeatureHas: fields: naming a property that no feature
// has stops the load naming the manifest line of the entry (the mapping
// is wrong, not the features), with the nearest property name; in a tile
// (a manifest with a tile: section), whose layers hold parts of the
// original ones, it is left to the original set and each feature gets its
// field-missing warning instead.
func TestMappedFieldNoFeatureHas(t *testing.T) {
	layer := `{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"OBJECTID":"A","class":"R2"},"geometry":{"type":"Polygon","coordinates":[[[113,28],[113.01,28],[113.01,28.01],[113,28.01],[113,28]]]}}
]}`
	for _, tile := range []bool{false, true} {
		dir := t.TempDir()
		manifest := "name: t\nlayers:\n  - name: cm\n    level: city-master\n    file: cm.geojson\n    fields: {id: OBJECTIDX}\n"
		if tile {
			manifest += "tile: {index: 0}\n"
		}
		for name, data := range map[string]string{ManifestName: manifest, "cm.geojson": layer} {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		set, err := LoadPlanSet(context.Background(), filepath.Join(dir, ManifestName), ManifestOptions{}, 2026)
		if !tile {
			var me *ManifestError
			if !errors.As(err, &me) || me.Line != 6 || !strings.Contains(me.Msg, `fields.id names property "OBJECTIDX", which no feature of the layer has; did you mean "OBJECTID"? (properties of the features: OBJECTID, class)`) {
				t.Errorf("error %v, want a ManifestError at line 6 suggesting OBJECTID", err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("tile: %v", err)
		}
		if len(set.Issues) != 1 || set.Issues[0].Check != CheckFieldMissing || set.Issues[0].ID != "#0" {
			t.Errorf("tile issues %+v, want one field-missing for #0", set.Issues)
		}
	}
}
