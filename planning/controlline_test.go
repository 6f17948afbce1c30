package planning

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestControlLineClasses(t *testing.T) {
	for _, tc := range []struct {
		raw, code string
		cat       Category
	}{
		{"CZKFBJ", "CZKFBJ", CategoryDevelopmentBoundary},
		{"城镇开发边界", "CZKFBJ", CategoryDevelopmentBoundary},
		{"yjjbnt", "YJJBNT", CategoryPermanentFarmland},
		{"永久基本农田", "YJJBNT", CategoryPermanentFarmland},
		{" STBHHX ", "STBHHX", CategoryEcologicalRedline},
		{"生态保护红线", "STBHHX", CategoryEcologicalRedline},
	} {
		c, err := LookupClass(ControlLine, "", tc.raw)
		if err != nil {
			t.Errorf("%q: %v", tc.raw, err)
			continue
		}
		if c.Code != tc.code || !c.Category.Has(tc.cat) || c.Category.Has(CategoryConstruction) {
			t.Errorf("%q: got %s %b", tc.raw, c.Code, c.Category)
		}
	}
	if _, err := LookupClass(ControlLine, "", "基本农田"); err == nil {
		t.Error("基本农田 resolved as a control line (it is the land-use zone 010, not 永久基本农田)")
	}
	if l, err := ParseLevel("control-line"); err != nil || l != ControlLine {
		t.Errorf("ParseLevel: %v %v", l, err)
	}
}

func TestManifestCovers(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"a.geojson", "b.geojson"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte(`{"type":"FeatureCollection","features":[]}`), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	head := "name: t\nlayers:\n  - {name: districts, level: boundary, file: a.geojson}\n"
	for _, tc := range []struct{ name, layer, want string }{
		{"ok", "  - {name: lu, level: land-use, file: b.geojson, covers: districts, covers_codes: [\"430102\"]}\n", ""},
		{"not a boundary", "  - {name: lu, level: land-use, file: b.geojson, covers: lu}\n", `covers "lu" is not a boundary layer of the set (boundary layers: districts)`},
		{"codes without covers", "  - {name: lu, level: land-use, file: b.geojson, covers_codes: [\"1\"]}\n", "covers_codes needs covers"},
		{"empty codes", "  - {name: lu, level: land-use, file: b.geojson, covers: districts, covers_codes: []}\n", "covers_codes must be a list"},
		{"infrastructure", "  - {name: lu, level: infrastructure, file: b.geojson, covers: districts}\n", "cannot declare covers"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := ParseManifest([]byte(head+tc.layer), filepath.Join(dir, "plancheck.yaml"), ManifestOptions{})
			if tc.want == "" {
				if err != nil || m.Layers[1].Covers != "districts" || len(m.Layers[1].CoversCodes) != 1 {
					t.Fatalf("got %v, %+v", err, m)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want %q", err, tc.want)
			}
		})
	}
}
