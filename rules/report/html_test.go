package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
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
	if n := strings.Count(out, "<script"); n != 1 {
		t.Errorf("%d <script elements, want report.js only", n)
	}
	for _, bad := range []string{hostileMessage, hostileID, "<img", "<script>alert", "onerror=alert(1)>"} {
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

// TestHTMLSelfContained: the page loads nothing from anywhere; its one
// script is inline and admitted by hash, and nothing else is.
func TestHTMLSelfContained(t *testing.T) {
	out := writeHTML(t, changsha())
	for _, bad := range []string{"<link", "<img", "<iframe", "<object", "<embed", "@import", "url(", "fetch(", "XMLHttpRequest", "import(", "eval(", ".src"} {
		if strings.Contains(out, bad) {
			t.Errorf("report.html contains %q", bad)
		}
	}
	if n := strings.Count(out, "<script"); n != 1 || !strings.Contains(out, "<script>"+htmlScript+"</script>") {
		t.Errorf("%d scripts; want exactly the inline report.js", n)
	}
	sum := sha256.Sum256([]byte(htmlScript))
	csp := `<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; style-src &#39;unsafe-inline&#39;; script-src &#39;sha256-` + base64.StdEncoding.EncodeToString(sum[:]) + `&#39;">`
	if !strings.Contains(out, csp) {
		t.Errorf("no Content-Security-Policy admitting only report.js (want %s)", csp)
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
		if !strings.Contains(out, `<tr id="r-`+n+`" data-n="`+n+`"`) {
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
	// The same counts as conflicts.geojson's geometry_kind.
	for _, want := range []string{
		"1 finding concerns whole layers (layer-level) and is not drawn; conflicts.geojson gives each the extent of its layers",
		"2 findings at a point or along a line are drawn as such",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no note %q", want)
		}
	}
}

// TestHTMLMap checks the projection: north up, x scaled by cos(mid-latitude),
// fitted into the map, 0.1 px precision.
func TestHTMLMap(t *testing.T) {
	r := changsha()
	fs := sortedFindings(r)
	kinds := make([]string, len(fs))
	all := mapPlan{draw: map[int]bool{}, full: true}
	for i, f := range fs {
		kinds[i] = geometryKind(f)
		all.draw[i] = true
	}
	m := newMap(r, fs, kinds, all)
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
	if !strings.Contains(out, "Layer contours (boundary) has 200001 vertices, more than the map draws; it is shown as the 8 px cells its features occupy.") {
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
	chromium := chromiumOrSkip(t)
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	if err := os.WriteFile(page, []byte(writeHTML(t, changsha())), 0o644); err != nil {
		t.Fatal(err)
	}
	png := filepath.Join(dir, "report.png")
	runChromium(t, chromium, dir, "--screenshot="+png, "--window-size=1400,1800", "file://"+filepath.ToSlash(page))
	fi, err := os.Stat(png)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() <= 10_000 {
		t.Errorf("screenshot is %d bytes, want more than 10 kB", fi.Size())
	}
}

func chromiumOrSkip(t *testing.T) string {
	t.Helper()
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("no chromium on PATH (apt-get install chromium)")
	}
	if testing.Short() {
		t.Skip("-short")
	}
	return chromium
}

func runChromium(t *testing.T, chromium, dir string, args ...string) string {
	t.Helper()
	args = append([]string{"--headless", "--no-sandbox", "--disable-gpu",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
		"--user-data-dir=" + filepath.Join(dir, "profile")}, args...)
	cmd := exec.CommandContext(t.Context(), chromium, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s", chromium, err, stderr.String())
	}
	return stdout.String()
}

// measureJS runs in Chromium after report.js and writes what it measured
// into the page as JSON.
const measureJS = `
(function () {
  var de = document.documentElement, out = {scrollW: de.scrollWidth, clientW: de.clientWidth, overflow: [], clipped: [], small: [], widths: {}};
  document.querySelectorAll("table, svg.map, pre, dl").forEach(function (el) {
    var r = el.getBoundingClientRect();
    if (r.right > de.clientWidth + 0.5) { out.overflow.push(el.tagName + "." + el.getAttribute("class") + " " + Math.round(r.right)); }
  });
  document.querySelectorAll("table.findings td").forEach(function (td) {
    if (td.scrollWidth > td.clientWidth + 1) { out.clipped.push(td.textContent.slice(0, 40)); }
  });
  var patches = document.querySelectorAll("a.patch");
  out.patches = patches.length;
  patches.forEach(function (a) {
    var r = a.getBoundingClientRect();
    if (r.width < 5.5 || r.height < 5.5) { out.small.push(a.id + " " + r.width.toFixed(1) + "x" + r.height.toFixed(1)); }
  });
  document.querySelectorAll("table.findings thead th").forEach(function (th) { out.widths[th.textContent] = Math.round(th.getBoundingClientRect().width); });
  out.pageHeight = de.scrollHeight;
  var svg = document.getElementById("map"), before = svg.getAttribute("viewBox");
  var link = document.querySelector("table.findings a[href^='#f-']");
  link.click();
  out.zoomed = svg.getAttribute("viewBox") !== before;
  out.selected = document.querySelectorAll(".sel").length;
  var sel = document.querySelector("select[data-filter=severity]");
  sel.value = "error";
  sel.dispatchEvent(new Event("change"));
  out.errorRows = Array.prototype.filter.call(document.querySelectorAll("table.findings tbody tr"), function (tr) { return !tr.hidden; }).length;
  out.hiddenPatches = Array.prototype.filter.call(patches, function (a) { return a.style.display === "none"; }).length;
  var pre = document.createElement("pre");
  pre.id = "measure";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
`

type chromiumMeasure struct {
	ScrollW, ClientW, Patches, PageHeight int
	Overflow, Clipped, Small              []string
	Widths                                map[string]float64
	Zoomed                                bool
	Selected, ErrorRows, HiddenPatches    int
}

// measureInChromium loads page at a window width, runs measureJS after
// the page's script (the test copy drops the CSP so it may) and returns
// what it measured.
func measureInChromium(t *testing.T, chromium, html string, width int) chromiumMeasure {
	t.Helper()
	dir := t.TempDir()
	html = regexp.MustCompile(`<meta http-equiv="Content-Security-Policy"[^>]*>`).ReplaceAllString(html, "")
	html = strings.Replace(html, "</body>", "<script>"+measureJS+"</script>\n</body>", 1)
	page := filepath.Join(dir, "report.html")
	if err := os.WriteFile(page, []byte(html), 0o644); err != nil {
		t.Fatal(err)
	}
	dom := runChromium(t, chromium, dir, "--dump-dom", "--window-size="+strconv.Itoa(width)+",1000", "file://"+filepath.ToSlash(page))
	m := regexp.MustCompile(`<pre id="measure">([^<]*)</pre>`).FindStringSubmatch(dom)
	if m == nil {
		t.Fatalf("no measurement in the page (did report.js fail?)")
	}
	var got chromiumMeasure
	if err := json.Unmarshal([]byte(strings.ReplaceAll(m[1], "&quot;", `"`)), &got); err != nil {
		t.Fatalf("%v: %s", err, m[1])
	}
	return got
}

// TestHTMLLayoutInChromium: at 1,280 and 1,400 px nothing is wider than
// the page, no findings cell is clipped, the message column is the widest,
// every finding on the map is at least minPatchPx across, a click on a
// finding's number zooms the map to it and the severity filter hides
// rows and patches.
func TestHTMLLayoutInChromium(t *testing.T) {
	chromium := chromiumOrSkip(t)
	r := consumers()
	// A 3 m × 3 m patch: far below a pixel on this map.
	tiny := box(113.0, 28.2, 113.00003, 28.20003)
	r.Findings = append(r.Findings, rules.Finding{Rule: "construction-on-basic-farmland", Severity: rules.Error,
		Layers: []string{"changsha-master", "land-use"}, Features: []string{"TINY-1", "F-77"}, Classes: []string{"R2", "010"},
		AreaM2: 9, Geometry: tiny, Message: "tiny", District: "芙蓉区 (430102)"})
	r.Findings[len(r.Findings)-1].Features[1] = strings.Repeat("VERY-LONG-FEATURE-ID-", 6)
	html := writeHTML(t, r)
	errors := 0
	for _, f := range r.Findings {
		if f.Severity == rules.Error {
			errors++
		}
	}
	for _, width := range []int{1280, 1400} {
		t.Run(strconv.Itoa(width), func(t *testing.T) {
			m := measureInChromium(t, chromium, html, width)
			if m.ScrollW > m.ClientW || len(m.Overflow) > 0 {
				t.Errorf("page %d px wide in a %d px window; too wide: %v", m.ScrollW, m.ClientW, m.Overflow)
			}
			if len(m.Clipped) > 0 {
				t.Errorf("clipped cells: %q", m.Clipped)
			}
			for col, w := range m.Widths {
				if col != "Message" && w >= m.Widths["Message"] {
					t.Errorf("column %s is %v px, the message %v px: the message column must be the widest", col, w, m.Widths["Message"])
				}
			}
			if m.Patches != 11 || len(m.Small) > 0 { // 13 findings, 2 layer-level
				t.Errorf("%d patches, smaller than %v px: %v", m.Patches, minPatchPx, m.Small)
			}
			if !m.Zoomed || m.Selected != 2 {
				t.Errorf("a click on a finding's number: zoomed %v, %d selected (want the patch and the row)", m.Zoomed, m.Selected)
			}
			if m.ErrorRows != errors || m.HiddenPatches == 0 {
				t.Errorf("severity filter error: %d rows shown (want %d), %d patches hidden", m.ErrorRows, errors, m.HiddenPatches)
			}
		})
	} // At city scale: six-digit numbers, a large area, the grid.
	t.Run("150000 findings", func(t *testing.T) {
		r := scaleResult(150_000, 20_000)
		// 12,346 km² (a coverage gap of a whole city) on a new error, so
		// the table lists it first.
		for i, f := range r.Findings {
			if f.Severity == rules.Error && f.Review.State == rules.StateNew {
				r.Findings[i].AreaM2 = 12345678901.23
				break
			}
		}
		m := measureInChromium(t, chromium, writeHTML(t, r), 1280)
		if m.ScrollW > m.ClientW || len(m.Overflow) > 0 || len(m.Clipped) > 0 {
			t.Errorf("page %d px wide in %d; too wide: %v; clipped cells: %q", m.ScrollW, m.ClientW, m.Overflow, m.Clipped)
		}
		if m.Patches != htmlRowCap || len(m.Small) > 0 || !m.Zoomed {
			t.Errorf("%d patches (want %d), small %v, zoomed %v", m.Patches, htmlRowCap, m.Small, m.Zoomed)
		}
	})
}

// TestHTMLAtScale: 150,000 findings over two layers of 200,000 parcels
// give a page under 5 MB that summarises: at most htmlRowCap rows (errors,
// then the new ones, then the largest first), a grid of every finding, the
// parcels as occupied cells.
func TestHTMLAtScale(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	r := scaleResult(150_000, 200_000)
	out := writeHTML(t, r)
	if len(out) > 5<<20 {
		t.Errorf("report.html is %d bytes, want under 5 MB", len(out))
	}
	if n := strings.Count(out, `<tr id="r-`); n != htmlRowCap {
		t.Errorf("%d rows, want %d", n, htmlRowCap)
	}
	if !strings.Contains(out, `<rect class="cell`) || !strings.Contains(out, `<path class="occ"`) {
		t.Error("no grid of findings or of parcels")
	}
	if !strings.Contains(out, "The table lists 1000 of the 150000 findings") {
		t.Error("the page does not say the table is cut")
	}
	// The first row: an error, new, the largest of those.
	first := regexp.MustCompile(`<tr id="r-(\d+)"`).FindStringSubmatch(out)
	n, _ := strconv.Atoi(first[1])
	f := r.Findings[n-1]
	if f.Severity != rules.Error || f.Review.State != rules.StateNew || f.AreaM2 != 100+996 {
		t.Errorf("first row is %+v, want the largest new error", f)
	}
	t.Logf("report.html: %d bytes", len(out))
}

// scaleResult is a city-scale Result: findings over two layers of parcels
// parcels each (400 a row), a third of them new since a baseline.
func scaleResult(findings, parcels int) *rules.Result {
	const side = 400
	r := &rules.Result{PlanSet: "scale", Baseline: &rules.BaselineInfo{Dir: "base"}, Date: "2026-03-01"}
	var cm, lu []orb.Geometry
	for i := 0; i < parcels; i++ {
		x, y := 112.9+float64(i%side)*0.0005, 28.0+float64(i/side)*0.0005
		cm = append(cm, box(x, y, x+0.0004, y+0.0004))
		lu = append(lu, box(x+0.0001, y+0.0001, x+0.0005, y+0.0005))
	}
	r.Map = []rules.MapLayer{{Name: "cm", Level: "city-master", Features: cm}, {Name: "lu", Level: "land-use", Features: lu}}
	states := []string{rules.StateUnchanged, rules.StateUnchanged, rules.StateNew}
	for i := 0; i < findings; i++ {
		x, y := 112.9+float64(i%side)*0.0005, 28.0+float64(i/side)*0.0005
		r.Findings = append(r.Findings, rules.Finding{
			Rule: "construction-on-basic-farmland", Severity: rules.Severity(1 + i%2),
			Layers: []string{"cm", "lu"}, Features: []string{"R-" + strconv.Itoa(i), "F-" + strconv.Itoa(i)}, Classes: []string{"R2", "010"},
			AreaM2: float64(100 + i%997), Geometry: box(x+0.0001, y+0.0001, x+0.0004, y+0.0004),
			Message: "construction land overlaps basic farmland", MessageZH: "建设用地占用基本农田",
			Review: &rules.Review{State: states[i%3], FirstSeen: "2026-01-01"},
		})
	}
	rules.SortFindings(r.Findings)
	return r
}

// TestHTMLStatesTheRun: the --only layer, the run date, the baseline and
// the decisions file are on the page; state and decision filters and
// colours by state appear with a review.
func TestHTMLStatesTheRun(t *testing.T) {
	r := reviewedResult()
	r.Only = "land-use"
	r.Decisions = "decisions.yaml"
	out := writeHTML(t, r)
	for _, want := range []string{
		"<code>--only land-use</code>: this report lists only the findings that involve layer land-use",
		"<dt>Run date</dt><dd>2026-03-15</dd>", "<dt>Baseline</dt><dd>base (run of 2026-01-01)</dd>", "<dt>Decisions</dt><dd>decisions.yaml</dd>",
		`<select data-filter="state">`, `<select data-filter="decision">`, `<svg class="map by-state"`,
		`class="patch warning st-unchanged dc-to-fix"`, "<td>已消除 absent</td><td class=\"num\">1</td>",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	// With a baseline the table lists new and updated findings first.
	fs := sortedFindings(r)
	seen := map[string]bool{}
	order := []string{}
	for _, m := range regexp.MustCompile(`<tr id="r-(\d+)"`).FindAllStringSubmatch(out, -1) {
		n, _ := strconv.Atoi(m[1])
		st := fs[n-1].Review.State
		if st == rules.StateUpdated {
			st = rules.StateNew
		}
		if !seen[st] {
			seen[st] = true
			order = append(order, st)
		}
	}
	if strings.Join(order, ",") != "new,unchanged,absent" {
		t.Errorf("table order by state %v, want new and updated, then unchanged, then absent", order)
	}
	if out := writeHTML(t, changsha()); strings.Contains(out, "<code>--only") || strings.Contains(out, `data-filter="state"`) || strings.Contains(out, `<svg class="map by-state"`) {
		t.Error("review or --only words without them")
	}
}

// TestOnlyStatedInEveryFormat: under --only, the text, SARIF and GitHub
// outputs say which layer the findings were narrowed to (issue 18), so
// none reads as the whole set's result; without it none says so.
func TestOnlyStatedInEveryFormat(t *testing.T) {
	for _, only := range []string{"land-use", ""} {
		r := reviewedResult()
		r.Only = only
		var text, sarif, github strings.Builder
		if err := Text(&text, r); err != nil {
			t.Fatal(err)
		}
		if err := SARIF(&sarif, r); err != nil {
			t.Fatal(err)
		}
		if err := GitHub(&github, r); err != nil {
			t.Fatal(err)
		}
		firstLine, _, _ := strings.Cut(text.String(), "\n")
		var log struct {
			Runs []struct {
				Properties *struct{ Only string } `json:"properties"`
			} `json:"runs"`
		}
		if err := json.Unmarshal([]byte(sarif.String()), &log); err != nil {
			t.Fatal(err)
		}
		gotSARIF := ""
		if p := log.Runs[0].Properties; p != nil {
			gotSARIF = p.Only
		}
		if only == "" {
			if strings.Contains(firstLine, "only findings") || gotSARIF != "" || strings.Contains(github.String(), "--only") {
				t.Errorf("without --only a format claims a narrowed run:\n%s\nSARIF only %q\n%s", firstLine, gotSARIF, github.String())
			}
			continue
		}
		if !strings.Contains(firstLine, "only findings involving layer land-use") {
			t.Errorf("text header %q does not state --only", firstLine)
		}
		if gotSARIF != only {
			t.Errorf("SARIF run properties only = %q, want %q", gotSARIF, only)
		}
		if !strings.Contains(github.String(), "::notice title=plancheck summary::") || !strings.Contains(github.String(), "Only findings involving layer land-use (--only)") {
			t.Errorf("GitHub output has no summary stating --only:\n%s", github.String())
		}
	}
}
