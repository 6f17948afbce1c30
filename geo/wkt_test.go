package geo

import (
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// WKT is GDAL's definition of the code, to the character (gdalsrsinfo is
// the reference; its pretty-printed layout aside).
func TestWKTMatchesGDAL(t *testing.T) {
	if _, err := exec.LookPath("gdalsrsinfo"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("gdalsrsinfo not installed: .ci/run installs gdal-bin")
		}
		t.Skip("gdalsrsinfo not installed (Debian gdal-bin)")
	}
	layout := regexp.MustCompile(`,\s+`)
	for _, code := range []int{4326, 4490, 4513, 4520, 4533, 4534, 4547, 4554} {
		out, err := exec.Command("gdalsrsinfo", "EPSG:"+strconv.Itoa(code), "-o", "wkt1").Output()
		if err != nil {
			t.Fatalf("gdalsrsinfo EPSG:%d: %v", code, err)
		}
		want := layout.ReplaceAllString(strings.TrimSpace(string(out)), ",")
		c, err := ParseCRS("EPSG:" + strconv.Itoa(code))
		if err != nil {
			t.Fatal(err)
		}
		if got := c.WKT(); got != want {
			t.Errorf("EPSG:%d:\n got %s\nwant %s", code, got, want)
		}
	}
	if TransverseMercator(114).WKT() != "" {
		t.Error("a custom projection has no EPSG definition to give")
	}
}
