package planning

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeSet lays out a manifest and empty layer files in a temp dir.
func writeSet(t *testing.T, manifest string, files ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range files {
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(`{"type":"FeatureCollection","features":[]}`), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p := filepath.Join(dir, ManifestName)
	if err := os.WriteFile(p, []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReadManifest(t *testing.T) {
	p := writeSet(t, `name: 长株潭 2030
asof: 2026
layers:
  - name: changsha-master
    level: city-master
    file: layers/changsha-master.geojson
    horizon: {base: 2014, target: 2030}
    crs: EPSG:4547
    fields: {id: OBJECTID, class: YDDM, start: KSNF, end: JSNF, width: KD}
  - name: land-use
    level: land-use
    file: layers/land-use.geojson
    classification: 建设用地管制区
rules: default
`, "layers/changsha-master.geojson", "layers/land-use.geojson")
	m, err := ReadManifest(p, ManifestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if m.Name != "长株潭 2030" || m.Asof != 2026 || !m.HasAsof || len(m.Layers) != 2 || m.Rules != "default" {
		t.Fatalf("got %+v", m)
	}
	cm := m.Layers[0]
	if cm.Level != CityMaster || cm.Horizon != (Horizon{2014, 2030}) || cm.CRS.EPSG != 4547 || !cm.CRSDeclared {
		t.Errorf("layer 0: %+v", cm)
	}
	if cm.Fields.ID != "OBJECTID" || cm.Fields.Class != "YDDM" || cm.Fields.Width != "KD" || cm.Line != 4 {
		t.Errorf("layer 0 fields/line: %+v line %d", cm.Fields, cm.Line)
	}
	if lu := m.Layers[1]; lu.CRS.EPSG != 4326 || lu.CRSDeclared || lu.Classification != "建设用地管制区" {
		t.Errorf("layer 1: %+v", lu)
	}
}

func TestManifestErrors(t *testing.T) {
	head := "name: x\nlayers:\n"
	layer := "  - name: a\n    level: land-use\n    file: a.geojson\n"
	tests := []struct {
		name     string
		manifest string
		want     string // substring of the error, with the line
	}{
		{"unknown top key", "name: x\nfoo: 1\n" + "layers:\n" + layer, `:2: unknown key "foo"`},
		{"unknown layer key", head + layer + "    colour: red\n", `:6: unknown key "colour" in layer`},
		{"bad level", head + "  - name: a\n    level: zoning\n    file: a.geojson\n", `:4: unknown level "zoning"`},
		{"duplicate name", head + layer + layer, `:6: duplicate layer name "a" (first at line 3)`},
		{"missing file", head + "  - name: a\n    level: land-use\n    file: nope.geojson\n", `:3: layer "a": file nope.geojson does not exist`},
		{"bad name", head + "  - name: A_1\n    level: land-use\n    file: a.geojson\n", `:3: layer name "A_1" must match`},
		{"escape", head + "  - name: a\n    level: land-use\n    file: ../a.geojson\n", `leaves the manifest's directory`},
		{"absolute", head + "  - name: a\n    level: land-use\n    file: /etc/passwd\n", `absolute paths are refused`},
		{"bad crs", head + layer + "    crs: EPSG:3857\n", `:6: unsupported CRS`},
		{"bad year", head + layer + "    horizon: {base: 20x4, target: 2030}\n", `:6: "20x4" is not a year`},
		{"horizon order", head + layer + "    horizon: {base: 2030, target: 2020}\n", `horizon base 2030 is after target 2020`},
		{"no layers", "name: x\n", `manifest has no layers`},
		{"not yaml", "name: [x\n", `not valid YAML`},
		{"bad classification", head + layer + "    classification: zoning\n", `unknown classification "zoning"`},
		{"no level", head + "  - name: a\n    file: a.geojson\n", `layer "a" has no level`},
		{"source with password", head + "  - name: a\n    level: land-use\n    source: postgresql://plan:secret@127.0.0.1/gis\n    table: zoning\n", `:5: source: the URL holds a password; remove it and give it in the PGPASSWORD`},
		{"password parameter", head + "  - name: a\n    level: land-use\n    source: postgresql://plan@127.0.0.1/gis?password=x\n    table: zoning\n", `the URL holds a password`},
		{"source not postgres", head + "  - name: a\n    level: land-use\n    source: mysql://h/db\n    table: t\n", `only postgresql:// sources are read`},
		{"source and file", head + layer + "    source: postgresql://h/db\n    table: t\n", `:6: layer "a" has both file and source`},
		{"source without table", head + "  - name: a\n    level: land-use\n    source: postgresql://h/db\n", `a source needs exactly one of table: and query:`},
		{"source with both", head + "  - name: a\n    level: land-use\n    source: postgresql://h/db\n    table: t\n    query: select 1\n", `exactly one of table: and query:`},
		{"query on a file", head + layer + "    query: select 1\n", `:6: layer "a": query: reads from a database source`},
		{"table on GeoJSON", head + layer + "    table: t\n", `:6: layer "a": table: picks a table of a GeoPackage (.gpkg) or of a source, not of a.geojson`},
		{"no file nor source", head + "  - name: a\n    level: land-use\n", `layer "a" has no file (or source: postgresql://…)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeSet(t, tt.manifest, "a.geojson")
			_, err := ReadManifest(p, ManifestOptions{})
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q, want it to contain %q", err, tt.want)
			}
			if !strings.Contains(err.Error(), ManifestName) {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
}

func TestManifestSource(t *testing.T) {
	p := writeSet(t, "name: x\nlayers:\n  - name: zoning\n    level: land-use\n    source: postgresql://plan@127.0.0.1:5432/gis?sslmode=disable\n    query: SELECT * FROM zoning WHERE year = 2030\n  - name: green\n    level: regional\n    file: g.gpkg\n    table: 生态绿心\n", "g.gpkg")
	m, err := ReadManifest(p, ManifestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	z, g := m.Layers[0], m.Layers[1]
	if z.Source != "postgresql://plan@127.0.0.1:5432/gis?sslmode=disable" || z.File != z.Source || z.Path != "" || z.Query != "SELECT * FROM zoning WHERE year = 2030" || z.Table != "" {
		t.Errorf("source layer: %+v", z)
	}
	if g.Table != "生态绿心" || !strings.HasSuffix(g.Path, "g.gpkg") {
		t.Errorf("GeoPackage layer: %+v", g)
	}
}

func TestManifestSymlinkEscape(t *testing.T) {
	outside := filepath.Join(t.TempDir(), "secret.geojson")
	if err := os.WriteFile(outside, []byte(`{}`), 0o644); err != nil {
		t.Fatal(err)
	}
	p := writeSet(t, "name: x\nlayers:\n  - name: a\n    level: land-use\n    file: link.geojson\n")
	if err := os.Symlink(outside, filepath.Join(filepath.Dir(p), "link.geojson")); err != nil {
		t.Skip("no symlinks here:", err)
	}
	_, err := ReadManifest(p, ManifestOptions{})
	if !errors.Is(err, ErrOutside) && (err == nil || !strings.Contains(err.Error(), "symlink")) {
		t.Fatalf("symlink escape not refused: %v", err)
	}
	if _, err := ReadManifest(p, ManifestOptions{AllowOutside: true}); err != nil {
		t.Fatalf("--allow-outside: %v", err)
	}
}

func FuzzManifest(f *testing.F) {
	f.Add([]byte("name: x\nasof: 2026\nlayers:\n  - name: a\n    level: land-use\n    file: a.geojson\n    horizon: {base: 2006, target: 2020}\n"))
	f.Add([]byte("layers: [{name: a, level: city-master, file: a.geojson, fields: {id: OBJECTID}}]\nrules: default\n"))
	f.Add([]byte("name: [\n"))
	f.Add([]byte("layers:\n  - &a {name: a}\n  - *a\n"))
	if seed, err := os.ReadFile(filepath.Join("..", "fixtures", "czt", ManifestName)); err == nil {
		f.Add(seed)
	}
	dir := f.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.geojson"), []byte(`{"type":"FeatureCollection","features":[]}`), 0o644); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseManifest(data, filepath.Join(dir, ManifestName), ManifestOptions{})
		if err != nil {
			var me *ManifestError
			if !errors.As(err, &me) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		for _, l := range m.Layers {
			if l.Name == "" || l.Path == "" {
				t.Fatalf("accepted layer without name or path: %+v", l)
			}
		}
	})
}
