package report

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// conflicts.gpkg: the same result gives the same bytes, and GDAL reads it
// as a GeoPackage with one MultiPolygon feature per finding in EPSG:4326,
// the properties as columns and a spatial index.
func TestGeoPackage(t *testing.T) {
	r := changsha()
	var a, b bytes.Buffer
	if err := GeoPackage(&a, r); err != nil {
		t.Fatal(err)
	}
	if err := GeoPackage(&b, r); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("two writes of the same result differ")
	}
	if !bytes.HasPrefix(a.Bytes(), []byte("SQLite format 3\x00")) {
		t.Fatal("not an SQLite file")
	}
	if _, err := exec.LookPath("ogrinfo"); err != nil {
		t.Skip("ogrinfo not installed (Debian gdal-bin)")
	}
	p := filepath.Join(t.TempDir(), "conflicts.gpkg")
	if err := os.WriteFile(p, a.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("ogrinfo", "-ro", "-so", p, "conflicts").CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo: %v\n%s", err, out)
	}
	text := string(out)
	for _, want := range []string{
		"Geometry: Multi Polygon",
		"Feature Count: " + itoa(len(r.Findings)),
		`ID["EPSG",4326]`,
		"rule: String",
		"layer_a: String",
		"area_m2: Real",
		"message_zh: String",
		"fingerprint: String",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("ogrinfo lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "Warning") || strings.Contains(text, "ERROR") {
		t.Errorf("ogrinfo warns:\n%s", text)
	}
	// The spatial index answers a window query.
	if out, err := exec.Command("ogrinfo", "-ro", "-q", "-sql", "SELECT HasSpatialIndex('conflicts', 'geom')", p).CombinedOutput(); err != nil || !strings.Contains(string(out), "= 1") {
		t.Errorf("no spatial index: %v\n%s", err, out)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
