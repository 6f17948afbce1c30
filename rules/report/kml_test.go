package report

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// conflicts.kml: well-formed XML with one Placemark per finding, byte-stable
// (golden), and — where GDAL is installed — read back by ogrinfo with every
// finding.
func TestKML(t *testing.T) {
	r := changsha()
	var b bytes.Buffer
	if err := KML(&b, r); err != nil {
		t.Fatal(err)
	}
	golden(t, "changsha.kml", b.Bytes())
	dec := xml.NewDecoder(bytes.NewReader(b.Bytes()))
	placemarks := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("not well-formed XML: %v", err)
			}
			break
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "Placemark" {
			placemarks++
		}
	}
	if placemarks != len(r.Findings) {
		t.Errorf("%d placemarks for %d findings", placemarks, len(r.Findings))
	}
	if _, err := exec.LookPath("ogrinfo"); err != nil {
		t.Skip("ogrinfo not installed (Debian gdal-bin)")
	}
	p := filepath.Join(t.TempDir(), "conflicts.kml")
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("ogrinfo", "-ro", "-al", "-so", p).CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo: %v\n%s", err, out)
	}
	total := 0
	for _, line := range strings.Split(string(out), "\n") {
		var n int
		if _, err := fmt.Sscanf(strings.TrimSpace(line), "Feature Count: %d", &n); err == nil {
			total += n
		}
	}
	if total != len(r.Findings) {
		t.Errorf("ogrinfo reads %d features, want %d\n%s", total, len(r.Findings), out)
	}
}
