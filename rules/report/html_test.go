package report

import (
	"bytes"
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

func writeHTML(t *testing.T, r *rules.Result) string {
	t.Helper()
	var buf bytes.Buffer
	if err := HTML(&buf, r); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestHTMLEscapes(t *testing.T) {
	out := writeHTML(t, changsha())
	for _, bad := range []string{hostileMessage, hostileID, "<img", "<script", "onerror=alert(1)>"} {
		if strings.Contains(out, bad) {
			t.Errorf("report.html contains %q unescaped", bad)
		}
	}
	for _, want := range []string{
		"&lt;script&gt;alert(1)&lt;/script&gt;",
		"&#34;&gt;&lt;img src=x onerror=alert(1)&gt;",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report.html lacks the escaped form %q", want)
		}
	}
}

// TestHTMLSelfContained: the page loads nothing from anywhere.
func TestHTMLSelfContained(t *testing.T) {
	out := writeHTML(t, changsha())
	for _, bad := range []string{"<link", "<script", "<img", "<iframe", "<object", "<embed", "@import", "url("} {
		if strings.Contains(out, bad) {
			t.Errorf("report.html contains %q", bad)
		}
	}
	for _, tag := range regexp.MustCompile(`<[^>]*>`).FindAllString(out, -1) {
		for _, bad := range []string{" src=", "http:", "https:", "//"} {
			if strings.Contains(tag, bad) {
				t.Errorf("report.html has tag %s with %q", tag, bad)
			}
		}
	}
}

// TestHTMLLinks: every patch on the map links to its row and back.
func TestHTMLLinks(t *testing.T) {
	r := changsha()
	out := writeHTML(t, r)
	mapped := 0
	for i, f := range sortedFindings(r) {
		n := strconv.Itoa(i + 1)
		if !strings.Contains(out, `<tr id="r-`+n+`">`) {
			t.Errorf("finding %s has no row r-%s", n, n)
		}
		patch := strings.Contains(out, `id="f-`+n+`" href="#r-`+n+`"`)
		link := strings.Contains(out, `<a href="#f-`+n+`">`)
		if onMap := f.Geometry != nil || f.At != nil; patch != onMap || link != onMap {
			t.Errorf("finding %s: patch %v, link %v, want both %v", n, patch, link, onMap)
		}
		if patch {
			mapped++
		}
	}
	if mapped != 6 {
		t.Errorf("%d patches, want 6 (all but the layer-level finding)", mapped)
	}
	if !strings.Contains(out, "1 finding has no geometry") {
		t.Error("no note about the finding without geometry")
	}
}

// TestHTMLMap checks the projection: north up, x scaled by cos(mid-latitude),
// fitted into the map, 0.1 px precision.
func TestHTMLMap(t *testing.T) {
	r := changsha()
	m := newMap(r, sortedFindings(r))
	if m == nil {
		t.Fatal("no map")
	}
	w, _ := strconv.ParseFloat(m.Width, 64)
	h, _ := strconv.ParseFloat(m.Height, 64)
	if w > mapMaxWidth || h > mapMaxHeight || w < 100 || h < 100 {
		t.Fatalf("map is %v × %v px", w, h)
	}
	// The bbox is 0.2° × 0.2° around 28.2°N: cos(28.2°) = 0.881, so the map
	// is taller than wide by that factor (less the margins).
	if ratio := (w - 2*mapMargin) / (h - mapMargin - mapBottom); ratio < 0.87 || ratio > 0.89 {
		t.Errorf("inner width/height = %.3f, want cos(28.2°) ≈ 0.881", ratio)
	}
	for _, l := range m.Layers {
		if l.Name == "infrastructure" && len(l.Shape.Points) != 1 {
			t.Errorf("infrastructure has %d points, want the station", len(l.Shape.Points))
		}
	}
	coord := regexp.MustCompile(`-?\d+(\.\d+)?`)
	for _, p := range m.Patches {
		for _, c := range coord.FindAllString(p.Shape.Area+p.Shape.Line, -1) {
			if i := strings.IndexByte(c, '.'); i >= 0 && len(c)-i-1 > 1 {
				t.Fatalf("patch %d has coordinate %s with more than 0.1 px precision", p.N, c)
			}
		}
	}
	// North up: the green heart (north-east) is above and right of
	// the M-7 patch (south-east) and right of the R-12 patch (west).
	proj := func(n int) (x, y float64) {
		for _, p := range m.Patches {
			if p.N == n {
				f := strings.Fields(strings.TrimPrefix(p.Shape.Area, "M"))
				x, _ = strconv.ParseFloat(f[0], 64)
				y, _ = strconv.ParseFloat(f[1], 64)
				return x, y
			}
		}
		t.Fatalf("no patch %d", n)
		return 0, 0
	}
	m7x, m7y := proj(1)   // M-7 × F-9, lat 28.12
	r12x, r12y := proj(2) // R-12 × F-3, lon 112.955, lat 28.19
	b2x, b2y := proj(5)   // B-2 × GH-1, lon 113.05, lat 28.24
	if !(b2y < r12y && r12y < m7y) {
		t.Errorf("north is not up: y(B-2)=%v y(R-12)=%v y(M-7)=%v", b2y, r12y, m7y)
	}
	if !(r12x < m7x && r12x < b2x) {
		t.Errorf("east is not right: x(R-12)=%v x(M-7)=%v x(B-2)=%v", r12x, m7x, b2x)
	}
	if !strings.Contains(writeHTML(t, r), ">2 km</text>") {
		t.Error("no 2 km scale bar (the map spans about 17.5 km across)")
	}
}

// TestHTMLVertexCap: a map layer above the vertex cap is left off with a
// note, and the page stays small.
func TestHTMLVertexCap(t *testing.T) {
	r := changsha()
	big := make(orb.LineString, mapVertexCap+1)
	for i := range big {
		big[i] = orb.Point{112.9 + 0.2*float64(i)/mapVertexCap, 28.1 + 0.001*float64(i%2)}
	}
	r.Map = append(r.Map, rules.MapLayer{Name: "contours", Level: "boundary", Features: []orb.Geometry{big}})
	out := writeHTML(t, r)
	if !strings.Contains(out, "Layer contours (boundary) has 200001 vertices") {
		t.Error("no note about the skipped layer")
	}
	if len(out) > 100_000 {
		t.Errorf("report.html is %d bytes; the skipped layer was drawn", len(out))
	}
}

// TestHTMLNoMap: without geometry the page says so and has no SVG map.
func TestHTMLNoMap(t *testing.T) {
	r := changsha()
	r.Map = nil
	for i := range r.Findings {
		r.Findings[i].Geometry, r.Findings[i].At = nil, nil
	}
	out := writeHTML(t, r)
	if !strings.Contains(out, "No geometry to draw.") || strings.Contains(out, `<svg class="map"`) {
		t.Error("a map was drawn without geometry")
	}
	if strings.Contains(out, `href="#f-`) {
		t.Error("rows link to patches that do not exist")
	}
}

// TestHTMLRendersInChromium takes a screenshot of report.html with headless
// Chromium when one is installed (apt-get install chromium).
func TestHTMLRendersInChromium(t *testing.T) {
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("no chromium on PATH")
	}
	if testing.Short() {
		t.Skip("-short")
	}
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	if err := os.WriteFile(page, []byte(writeHTML(t, changsha())), 0o644); err != nil {
		t.Fatal(err)
	}
	png := filepath.Join(dir, "report.png")
	cmd := exec.CommandContext(t.Context(), chromium,
		"--headless", "--no-sandbox", "--disable-gpu",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
		"--user-data-dir="+filepath.Join(dir, "profile"),
		"--screenshot="+png, "--window-size=1400,1800",
		"file://"+filepath.ToSlash(page))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", chromium, err, out)
	}
	fi, err := os.Stat(png)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() <= 10_000 {
		t.Errorf("screenshot is %d bytes, want more than 10 kB", fi.Size())
	}
}
