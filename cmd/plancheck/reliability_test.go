package main

// Reliability and security tests: hostile input, limits, faults (Ctrl-C,
// SIGKILL during a report write), escapes from the plan set, inert output
// and determinism. RELIABILITY.md lists which guarantee each test shows.
//
// Heavy tests (a 200 MB file, a 10⁶-vertex polygon, subprocesses) skip with
// -short; without it the whole file stays well under a minute on 2 cores.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/plancheck/plancheck/geo"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

// jsonString quotes s as a JSON string (Go's %q is not JSON).
func jsonString(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// ring returns the coordinates of a closed counter-clockwise square ring,
// d degrees wide, with its south-west corner at lon, lat and perSide
// positions on each side.
func ring(lon, lat, d float64, perSide int) string {
	var b strings.Builder
	b.WriteString("[")
	corners := [][2]float64{{lon, lat}, {lon + d, lat}, {lon + d, lat + d}, {lon, lat + d}}
	for side := range 4 {
		a, c := corners[side], corners[(side+1)%4]
		for k := range perSide {
			f := float64(k) / float64(perSide)
			fmt.Fprintf(&b, "[%s,%s],", coord(a[0]+f*(c[0]-a[0])), coord(a[1]+f*(c[1]-a[1])))
		}
	}
	fmt.Fprintf(&b, "[%s,%s]]", coord(lon), coord(lat))
	return b.String()
}

func coord(v float64) string { return strconv.FormatFloat(math.Round(v*1e7)/1e7, 'f', -1, 64) }

// polygon is a GeoJSON Polygon geometry of a square (see ring).
func polygon(lon, lat, d float64) string {
	return `{"type":"Polygon","coordinates":[` + ring(lon, lat, d, 1) + `]}`
}

// feature is one GeoJSON Feature with an id and a class property.
func feature(id, class, geometry string) string {
	return `{"type":"Feature","id":` + jsonString(id) + `,"properties":{"class":` + jsonString(class) + `},"geometry":` + geometry + `}`
}

// collection joins features into a FeatureCollection, one feature a line.
func collection(features ...string) string {
	return "{\"type\":\"FeatureCollection\",\"features\":[\n" + strings.Join(features, ",\n") + "\n]}\n"
}

// writeTree writes files (slash paths relative to dir) and returns dir.
func writeTree(t *testing.T, dir string, files map[string]string) string {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// noPanic fails when output looks like a Go panic or runtime error.
func noPanic(t *testing.T, outputs ...string) {
	t.Helper()
	for _, o := range outputs {
		for _, bad := range []string{"panic:", "goroutine ", "runtime error", "[recovered]"} {
			if strings.Contains(o, bad) {
				t.Fatalf("output contains %q:\n%s", bad, firstLines([]byte(o), 30))
			}
		}
	}
}

// TestHostileInput runs `plancheck validate FILE --level city-master` on
// hostile and broken files. Each gives exit 1 (a finding about a feature)
// or 2 (the file cannot be read), and the output names the file, the
// feature (id, index or line) and what is wrong.
func TestHostileInput(t *testing.T) {
	sq := polygon(113, 28, 0.01)
	ok := collection(feature("A", "R2", sq))
	utf16 := func(e encoding.Encoding, s string) string {
		b, err := e.NewEncoder().Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(`{"type":"FeatureCollection","features":[` + "\n" +
		`{"type":"Feature","id":"G-1","properties":{"class":"R2","name":"长沙市居住用地"},"geometry":` + sq + `}]}`)
	if err != nil {
		t.Fatal(err)
	}
	const depth = 100_000
	tests := []struct {
		name string
		data string
		args []string
		code int
		// want are regexps the combined stdout+stderr must match, besides
		// the file name, which is always required.
		want []string
	}{
		{"truncated", ok[:len(ok)/2], nil, exitUsage, []string{`feature 0`, `truncated`}},
		{"truncated in the header", `{"type":"FeatureCollection","featu`, nil, exitUsage, []string{`truncated|unexpected end`}},
		{"empty file", ``, nil, exitUsage, []string{`not JSON|empty|end of file`}},
		{"not JSON", "type,id\nR2,1\n", nil, exitUsage, []string{`not JSON`}},
		{"NaN is not JSON", collection(feature("A", "R2", `{"type":"Point","coordinates":[NaN,28]}`)), nil, exitUsage,
			[]string{`feature 0`, `invalid character 'N'`}},
		{"Infinity is not JSON", collection(feature("A", "R2", `{"type":"Point","coordinates":[Infinity,28]}`)), nil, exitUsage,
			[]string{`feature 0`, `invalid character 'I'`}},
		{"1e308 coordinate", collection(feature("A", "R2", strings.Replace(sq, "[113,28]", "[1e308,28]", 2))), nil, exitFindings,
			[]string{`geometry-invalid +[^ ]+#A`, `out of range`, `:2\]`}},
		{"1e309 overflows float64", collection(feature("A", "R2", strings.Replace(sq, "[113,28]", "[1e309,28]", 2))), nil, exitFindings,
			[]string{`geometry-invalid +[^ ]+#A`, `1e309 is out of range \(not a finite float64\)`, `:2\]`}},
		{"deeply nested coordinates", collection(feature("A", "R2", `{"type":"Polygon","coordinates":`+strings.Repeat("[", depth)+strings.Repeat("]", depth)+`}`)), nil, exitUsage,
			[]string{`feature 0`, `max depth`}},
		{"deeply nested top level", `{"type":"FeatureCollection","bbox":` + strings.Repeat("[", depth) + strings.Repeat("]", depth) + `,"features":[]}`, nil, exitUsage,
			[]string{`max depth`}},
		{"duplicate feature member", collection(`{"type":"Feature","id":"D-1","properties":{"class":"R2"},"properties":{"class":"E1"},"geometry":` + sq + `}`), nil, exitFindings,
			[]string{`feature-invalid +[^ ]+#D-1`, `"properties" twice`, `:2\]`}},
		{"duplicate top-level type", `{"type":"FeatureCollection","type":"Feature","features":[]}`, nil, exitUsage,
			[]string{`duplicate "type"`}},
		{"duplicate features member", `{"type":"FeatureCollection","features":[],"features":[]}`, nil, exitUsage,
			[]string{`duplicate "features"`}},
		{"UTF-8 BOM is accepted", "\ufeff" + ok, nil, exitClean, []string{`0 findings`}},
		{"UTF-16LE with BOM", utf16(unicode.UTF16(unicode.LittleEndian, unicode.UseBOM), ok), nil, exitUsage,
			[]string{`UTF-16`, `UTF-8`}},
		{"UTF-16BE with BOM", utf16(unicode.UTF16(unicode.BigEndian, unicode.UseBOM), ok), nil, exitUsage,
			[]string{`UTF-16`, `UTF-8`}},
		{"UTF-16LE without BOM", utf16(unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), ok), nil, exitUsage,
			[]string{`UTF-16`}},
		{"GBK properties", gbk, nil, exitFindings,
			[]string{`feature-invalid +[^ ]+#G-1`, `not UTF-8`, `GBK`, `长沙市居住用地`, `:2\]`}},
		{"over --max-vertices", collection(feature("V-1", "R2", polygon(113, 28, 0.01))), []string{"--max-vertices", "4"}, exitFindings,
			[]string{`geometry-invalid +[^ ]+#V-1`, `5 positions, more than the limit of 4 \(--max-vertices\)`}},
		{"over --max-file-size", ok, []string{"--max-file-size", "100"}, exitUsage,
			[]string{`larger than the limit`, `--max-file-size`}},
	}
	dir := t.TempDir()
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := fmt.Sprintf("case%02d.geojson", i)
			path := filepath.Join(dir, name)
			if err := os.WriteFile(path, []byte(tt.data), 0o644); err != nil {
				t.Fatal(err)
			}
			args := append([]string{"validate", path, "--level", "city-master"}, tt.args...)
			stdout, stderr, code := runCLI(t, args...)
			all := stdout + stderr
			noPanic(t, all)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, firstLines([]byte(stdout), 20), stderr)
			}
			if !strings.Contains(all, name) {
				t.Errorf("output does not name the file %s:\n%s%s", name, firstLines([]byte(stdout), 20), stderr)
			}
			for _, w := range tt.want {
				if !regexp.MustCompile(w).MatchString(all) {
					t.Errorf("output does not match %q:\n%s%s", w, firstLines([]byte(stdout), 20), stderr)
				}
			}
			if code == exitUsage && !strings.HasPrefix(stderr, "plancheck: ") {
				t.Errorf("exit 2 without a plancheck: message: %q", stderr)
			}
		})
	}
}

// TestHugeCoordinateIsPrintedShort: a 1e308 coordinate is a
// geometry-invalid finding (TestHostileInput); its message must quote the
// number as written, not as 309 digits.
func TestHugeCoordinateIsPrintedShort(t *testing.T) {
	path := filepath.Join(t.TempDir(), "huge.geojson")
	writeTree(t, filepath.Dir(path), map[string]string{"huge.geojson": collection(feature("A", "R2", strings.Replace(polygon(113, 28, 0.01), "[113,28]", "[1e308,28]", 2)))})
	stdout, _, code := runCLI(t, "validate", path, "--level", "city-master")
	if code != exitFindings {
		t.Fatalf("exit %d", code)
	}
	for _, line := range strings.Split(stdout, "\n") {
		if strings.Contains(line, "geometry-invalid") && strings.Contains(line, "#A") {
			if strings.Contains(line, "00000000000000000000") || !strings.Contains(line, "1e+308") {
				t.Errorf("coordinate not printed as 1e+308: %.200s…", line)
			}
			return
		}
	}
	t.Fatalf("no geometry-invalid finding for #A:\n%s", stdout)
}

// writeMinified writes a valid FeatureCollection of city-master squares,
// each with a planning note of about 2 KB, on one single line of at
// least size bytes (no newline at all, as a minifying export tool writes
// it) and returns its size.
func writeMinified(t *testing.T, path string, size int64) int64 {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString(`{"type":"FeatureCollection","features":[`)
	note := jsonString(strings.Repeat("规划说明：居住用地，容积率不大于2.5。", 40))
	var n int64
	for i := 0; n < size; i++ {
		if i > 0 {
			w.WriteByte(',')
		}
		lon, lat := 100+float64(i%2000)*0.015, 20+float64(i/2000)*0.015
		s := `{"type":"Feature","id":"P-` + strconv.Itoa(i) + `","properties":{"class":"R2","note":` + note + `},"geometry":` + polygon(lon, lat, 0.01) + `}`
		w.WriteString(s)
		n += int64(len(s)) + 1
	}
	w.WriteString("]}")
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}

// peakHeap runs fn and returns the largest runtime.MemStats.HeapAlloc seen
// while it ran, sampled every 2 ms, above the heap before it started.
func peakHeap(fn func()) uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	peak := base
	done := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapAlloc)
			}
		}
	}()
	fn()
	close(done)
	<-sampled
	if peak < base {
		return 0
	}
	return peak - base
}

// TestHugeSingleLineFile: a 200 MB file on one line (no newline at all) is
// read as a stream: validate finishes, reports no finding and keeps its
// heap bounded.
func TestHugeSingleLineFile(t *testing.T) {
	if testing.Short() {
		t.Skip("writes and reads a 200 MB file; runs without -short")
	}
	path := filepath.Join(t.TempDir(), "minified.geojson")
	size := writeMinified(t, path, 200<<20)
	var (
		stdout, stderr string
		code           int
	)
	start := time.Now()
	peak := peakHeap(func() {
		stdout, stderr, code = runCLI(t, "validate", path, "--level", "city-master", "--format", "json")
	})
	t.Logf("%d MB in %v, peak heap %d MB (%.2f× the file)", size>>20, time.Since(start).Round(time.Millisecond), peak>>20, float64(peak)/float64(size))
	noPanic(t, stderr)
	if code != exitClean {
		t.Fatalf("exit %d; stderr %s\n%s", code, stderr, firstLines([]byte(stdout), 30))
	}
	// Bounded memory: peak heap (live data plus garbage the collector has
	// not yet reclaimed) stays under 4× the file. The decoded layer itself
	// (orb rings, typed features) is about 2× this file; a reader that
	// buffered the line, or the whole JSON tree, would go well past 4×.
	if peak > 4*uint64(size) {
		t.Errorf("peak heap %d MB for a %d MB file: more than 4×", peak>>20, size>>20)
	}
}

// writeCircle writes a city-master layer of one polygon: a circle of n
// positions (the last repeating the first) of radius 0.05° around
// 113°E 28°N, counter-clockwise.
func writeCircle(t *testing.T, path string, n int) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString("{\"type\":\"FeatureCollection\",\"features\":[\n{\"type\":\"Feature\",\"id\":\"C-1\",\"properties\":{\"class\":\"R2\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[")
	for i := range n {
		a := 2 * math.Pi * float64(i%(n-1)) / float64(n-1)
		if i > 0 {
			w.WriteByte(',')
		}
		// 12 decimals keep 10⁶ positions on a 0.05° circle distinct and
		// the ring simple.
		fmt.Fprintf(w, "[%.12f,%.12f]", 113+0.05*math.Cos(a), 28+0.05*math.Sin(a))
	}
	w.WriteString("]]}}\n]}\n")
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestMillionVertexPolygon: a polygon of 10⁶ positions is read and checked
// at the default --max-vertices (10⁶); above a lower limit it is one
// geometry-invalid finding that says so, not an error and not a hang.
func TestMillionVertexPolygon(t *testing.T) {
	if testing.Short() {
		t.Skip("a 10⁶-vertex polygon; runs without -short")
	}
	path := filepath.Join(t.TempDir(), "circle.geojson")
	writeCircle(t, path, 1_000_000)
	start := time.Now()
	stdout, stderr, code := runCLI(t, "validate", path, "--level", "city-master")
	t.Logf("10⁶ positions at the default limit: exit %d in %v", code, time.Since(start).Round(time.Millisecond))
	noPanic(t, stdout, stderr)
	if code != exitClean {
		t.Fatalf("exit %d at the default limit; stderr %s\n%s", code, stderr, firstLines([]byte(stdout), 20))
	}
	stdout, stderr, code = runCLI(t, "validate", path, "--level", "city-master", "--max-vertices", "999999")
	noPanic(t, stdout, stderr)
	if code != exitFindings {
		t.Fatalf("exit %d above --max-vertices, want 1; stderr %s", code, stderr)
	}
	want := regexp.MustCompile(`error +geometry-invalid +circle#C-1 .*geometry has 1000000 positions, more than the limit of 999999 \(--max-vertices\).*\[[^]]*circle\.geojson:2\]`)
	if !want.MatchString(stdout) {
		t.Errorf("no geometry-invalid finding naming the feature, its line and the limit:\n%s", firstLines([]byte(stdout), 20))
	}
}

// jsonFinding is a finding as report.json and --format json show it.
type jsonFinding struct {
	Rule     string   `json:"rule"`
	Severity string   `json:"severity"`
	Layers   []string `json:"layers"`
	Features []string `json:"features"`
	AreaM2   float64  `json:"area_m2"`
	Message  string   `json:"message"`
	File     string   `json:"file"`
	Line     int      `json:"line"`
}

func jsonFindings(t *testing.T, stdout string) []jsonFinding {
	t.Helper()
	var r struct {
		Findings []jsonFinding `json:"findings"`
	}
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("--format json output is not JSON: %v\n%s", err, firstLines([]byte(stdout), 20))
	}
	return r.Findings
}

// projected returns the Polygon of a lon/lat square with every position
// projected to crs.
func projected(t *testing.T, crs string, lon, lat, d float64) string {
	t.Helper()
	c, err := geo.ParseCRS(crs)
	if err != nil {
		t.Fatal(err)
	}
	var pos []string
	for _, p := range [][2]float64{{lon, lat}, {lon + d, lat}, {lon + d, lat + d}, {lon, lat + d}, {lon, lat}} {
		x, y := c.FromLonLat(p[0], p[1])
		pos = append(pos, "["+strconv.FormatFloat(x, 'f', 6, 64)+","+strconv.FormatFloat(y, 'f', 6, 64)+"]")
	}
	return `{"type":"Polygon","coordinates":[[` + strings.Join(pos, ",") + `]]}`
}

// TestMixedCRS: one layer in lon/lat (EPSG:4326) and one in CGCS2000
// Gauss–Krüger metres (EPSG:4547, coordinates from geo's own FromLonLat)
// land in the same place: the farmland conflict between them has the area
// it has when both layers are lon/lat. A layer declared EPSG:4326 (the
// default) that holds projected metres gets a crs-suspect warning naming
// the layer and one geometry-invalid finding per feature.
func TestMixedCRS(t *testing.T) {
	manifest := func(luCRS string) string {
		return "name: mixed crs\nasof: 2026\nlayers:\n" +
			"  - {name: cm, level: city-master, file: cm.geojson, horizon: {base: 2014, target: 2030}}\n" +
			"  - {name: lu, level: land-use, file: lu.geojson, horizon: {base: 2020, target: 2030}" + luCRS + "}\n"
	}
	cm := collection(feature("R-1", "R2", polygon(113.0, 28.0, 0.01)))
	lonlat := writeTree(t, t.TempDir(), map[string]string{
		"plancheck.yaml": manifest(""),
		"cm.geojson":     cm,
		"lu.geojson":     collection(feature("F-1", "010", polygon(113.005, 27.995, 0.01))),
	})
	metres := writeTree(t, t.TempDir(), map[string]string{
		"plancheck.yaml": manifest(", crs: EPSG:4547"),
		"cm.geojson":     cm,
		"lu.geojson":     collection(feature("F-1", "010", projected(t, "EPSG:4547", 113.005, 27.995, 0.01))),
	})
	farmland := func(dir string) jsonFinding {
		t.Helper()
		stdout, stderr, code := runCLI(t, "check", dir, "--format", "json")
		noPanic(t, stdout, stderr)
		if code != exitFindings {
			t.Fatalf("%s: exit %d; stderr %s", dir, code, stderr)
		}
		var got []jsonFinding
		for _, f := range jsonFindings(t, stdout) {
			switch f.Rule {
			case "construction-on-basic-farmland":
				got = append(got, f)
			case "geometry-invalid", "crs-suspect", "layers-disjoint":
				t.Errorf("%s: unexpected %s finding: %s", dir, f.Rule, f.Message)
			}
		}
		if len(got) != 1 {
			t.Fatalf("%s: %d construction-on-basic-farmland findings, want 1:\n%s", dir, len(got), stdout)
		}
		return got[0]
	}
	want, got := farmland(lonlat), farmland(metres)
	// A quarter of the 0.01° square: about 27 ha at 28°N.
	if want.AreaM2 < 2.6e5 || want.AreaM2 > 2.8e5 {
		t.Fatalf("lon/lat reference area %.2f m², want about 27 ha", want.AreaM2)
	}
	if math.Abs(got.AreaM2-want.AreaM2) > 0.01 {
		t.Errorf("EPSG:4547 layer: conflict area %.2f m², want %.2f m² as with lon/lat", got.AreaM2, want.AreaM2)
	}

	t.Run("projected metres declared as lon/lat", func(t *testing.T) {
		dir := writeTree(t, t.TempDir(), map[string]string{
			"plancheck.yaml": manifest(""),
			"cm.geojson":     cm,
			"lu.geojson": collection(
				feature("F-1", "010", projected(t, "EPSG:4547", 113.005, 27.995, 0.01)),
				feature("F-2", "010", projected(t, "EPSG:4547", 113.02, 27.995, 0.01))),
		})
		stdout, stderr, code := runCLI(t, "validate", dir, "--format", "json")
		noPanic(t, stdout, stderr)
		if code != exitFindings {
			t.Fatalf("exit %d; stderr %s", code, stderr)
		}
		var suspect, invalid []jsonFinding
		for _, f := range jsonFindings(t, stdout) {
			switch f.Rule {
			case "crs-suspect":
				suspect = append(suspect, f)
			case "geometry-invalid":
				invalid = append(invalid, f)
			}
		}
		if len(suspect) != 1 || suspect[0].Severity != "warning" || suspect[0].File != "lu.geojson" ||
			!strings.Contains(suspect[0].Message, "look projected") || !strings.Contains(suspect[0].Message, "EPSG:4547") {
			t.Errorf("want one crs-suspect warning on lu.geojson suggesting a projected crs, got %+v", suspect)
		}
		if len(invalid) != 2 {
			t.Fatalf("want a geometry-invalid finding per feature, got %+v", invalid)
		}
		for i, f := range invalid {
			id := fmt.Sprintf("F-%d", i+1)
			if f.Severity != "error" || len(f.Features) != 1 || f.Features[0] != id || f.File != "lu.geojson" || f.Line != i+2 ||
				!strings.Contains(f.Message, "out of range for EPSG:4326") {
				t.Errorf("finding %d: %+v: want an error on %s at lu.geojson:%d saying the coordinate is out of range for EPSG:4326", i, f, id, i+2)
			}
		}
	})
}

// TestInputLimits: --max-file-size refuses a larger layer file with exit 2
// and a message naming the file and the flag, in validate and check; a
// limit that is not a number is a usage error.
func TestInputLimits(t *testing.T) {
	dir := extract(t, "mixed")
	tests := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"check over --max-file-size", []string{"check", dir, "--max-file-size", "200"}, exitUsage, []string{".geojson", "larger than the limit", "--max-file-size"}},
		{"validate over --max-file-size", []string{"validate", dir, "--max-file-size", "200"}, exitUsage, []string{".geojson", "larger than the limit", "--max-file-size"}},
		{"file size at the limit", []string{"validate", filepath.Join(dir, "layers", "lu.geojson"), "--level", "land-use", "--max-file-size", strconv.FormatInt(fileSize(t, filepath.Join(dir, "layers", "lu.geojson")), 10)}, exitClean, nil},
		{"--max-vertices not a number", []string{"check", dir, "--max-vertices", "many"}, exitUsage, []string{"max-vertices"}},
		{"--max-file-size not a number", []string{"check", dir, "--max-file-size", "4GB"}, exitUsage, []string{"max-file-size"}},
		{"--timeout not a duration", []string{"check", dir, "--timeout", "soon"}, exitUsage, []string{"timeout"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runCLI(t, tt.args...)
			noPanic(t, stdout, stderr)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr %s", code, tt.code, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q does not say %q", stderr, w)
				}
			}
		})
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}

// listTree returns every path under dir (relative, slash-separated) with
// its size, for before/after comparisons.
func listTree(t *testing.T, dir string) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		info, err := d.Info()
		if err != nil {
			return err
		}
		out[filepath.ToSlash(rel)] = info.Size()
		if d.IsDir() {
			out[filepath.ToSlash(rel)] = -1
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestTimeout: --timeout 1ns gives up at once: exit 2, a message that says
// it was cancelled by the deadline, and no report directory.
func TestTimeout(t *testing.T) {
	dir := extract(t, "mixed")
	before := listTree(t, dir)
	out := filepath.Join(t.TempDir(), "report")
	for _, args := range [][]string{
		{"check", dir, "--timeout", "1ns", "--out", out},
		{"validate", dir, "--timeout", "1ns"},
	} {
		t.Run(args[0], func(t *testing.T) {
			stdout, stderr, code := runCLI(t, args...)
			noPanic(t, stdout, stderr)
			if code != exitUsage {
				t.Fatalf("exit %d, want 2; stderr %s", code, stderr)
			}
			if !strings.Contains(stderr, "cancelled") || !strings.Contains(stderr, "deadline") {
				t.Errorf("stderr %q does not say cancelled by the deadline", stderr)
			}
			if stdout != "" {
				t.Errorf("a cancelled run wrote a report to stdout:\n%s", firstLines([]byte(stdout), 10))
			}
		})
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		entries, _ := os.ReadDir(out)
		t.Errorf("--out %s exists after a timeout (%d entries); want nothing written", out, len(entries))
	}
	if after := listTree(t, dir); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("the plan set changed:\nbefore %v\nafter  %v", before, after)
	}

	// The same for one file, and for a deadline that passes while the rules
	// run (300 ms: the mixed set loads in a few ms, its rules take longer
	// than that only on a slow machine, so either phase may be hit).
	t.Run("validate one file", func(t *testing.T) {
		_, stderr, code := runCLI(t, "validate", filepath.Join(dir, "layers", "lu.geojson"), "--level", "land-use", "--timeout", "1ns")
		if code != exitUsage || !strings.Contains(stderr, "cancelled") || !strings.Contains(stderr, "deadline") {
			t.Errorf("exit %d, stderr %q: want 2 and cancelled … deadline", code, stderr)
		}
	})
}

// TestTimeoutDuringRules: a deadline that passes while rules run is exit 2
// with a message that says the run was cancelled, not that a rule failed.
// The deadline is half a full run's time, so it passes in the middle of the
// run; whichever phase it hits, the message must say cancelled.
func TestTimeoutDuringRules(t *testing.T) {
	dir := copyCZT(t)
	// The fastest of two full runs: the first warms caches and the
	// reader's reused buffers, and a timeout taken from it alone can
	// outlast a warm run.
	full := time.Duration(math.MaxInt64)
	for range 2 {
		begin := time.Now()
		if _, stderr, code := runCLI(t, "check", dir, "--out", filepath.Join(t.TempDir(), "full")); code != exitFindings {
			t.Fatalf("exit %d; stderr %s", code, stderr)
		}
		full = min(full, time.Since(begin))
	}
	half := full / 2
	out := filepath.Join(t.TempDir(), "report")
	_, stderr, code := runCLI(t, "check", dir, "--timeout", half.String(), "--out", out)
	if code != exitUsage || !strings.Contains(stderr, "cancelled") || !strings.Contains(stderr, "deadline") {
		t.Errorf("--timeout %v: exit %d, stderr %q: want 2 and cancelled … deadline", half, code, stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("--out exists after a timeout")
	}
}

// copyCZT copies the bundled 长株潭 plan set into a temp dir.
func copyCZT(t *testing.T) string {
	t.Helper()
	src := filepath.Join("..", "..", "fixtures", "czt")
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// TestManifestCannotLeaveThePlanSet: layer and rules paths that leave the
// plan set's directory (../, absolute paths, symlinks pointing out) are
// refused with exit 2 and a message naming the manifest line and
// --allow-outside; with --allow-outside they are read.
func TestManifestCannotLeaveThePlanSet(t *testing.T) {
	root := t.TempDir()
	outside := writeTree(t, filepath.Join(root, "outside"), map[string]string{
		"secret.geojson": collection(feature("S-1", "R2", polygon(113, 28, 0.01))),
		"rules.yaml":     string(defaultRules(t)),
	})
	set := filepath.Join(root, "set")
	layer := func(file string) string {
		return "name: escape\nasof: 2026\nlayers:\n  - name: cm\n    level: city-master\n    file: " + file + "\n    horizon: {base: 2014, target: 2030}\n"
	}
	secret := filepath.Join(outside, "secret.geojson")
	symlinks := true
	if err := os.MkdirAll(set, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, filepath.Join(set, "link.geojson")); err != nil {
		symlinks = false
	}
	if err := os.Symlink(outside, filepath.Join(set, "linkdir")); err != nil {
		symlinks = false
	}
	tests := []struct {
		name, manifest string
		symlink        bool
		line           int
	}{
		{"dot-dot", layer("../outside/secret.geojson"), false, 6},
		{"dot-dot inside a path", layer("layers/../../outside/secret.geojson"), false, 6},
		{"absolute", layer(jsonString(secret)), false, 6},
		{"symlink to a file outside", layer("link.geojson"), true, 6},
		{"symlinked directory", layer("linkdir/secret.geojson"), true, 6},
		{"rules file outside", layer("inside.geojson") + "rules: ../outside/rules.yaml\n", false, 8},
		{"absolute rules file", layer("inside.geojson") + "rules: " + jsonString(filepath.Join(outside, "rules.yaml")) + "\n", false, 8},
	}
	writeTree(t, set, map[string]string{"inside.geojson": collection(feature("I-1", "R2", polygon(113, 28, 0.01)))})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.symlink && !symlinks {
				t.Skip("no symlinks on this system")
			}
			writeTree(t, set, map[string]string{"plancheck.yaml": tt.manifest})
			var noLine []string
			defer func() {
				if len(noLine) > 0 && strings.Contains(tt.name, "rules") {
				}
				for _, msg := range noLine {
					t.Error(msg)
				}
			}()
			for _, cmd := range []string{"check", "validate"} {
				stdout, stderr, code := runCLI(t, cmd, set)
				noPanic(t, stdout, stderr)
				if code != exitUsage {
					t.Fatalf("%s: exit %d, want 2; stderr %q", cmd, code, stderr)
				}
				if !strings.Contains(stderr, "plancheck.yaml:") || !strings.Contains(stderr, "--allow-outside") {
					t.Errorf("%s: stderr %q does not name the manifest and --allow-outside", cmd, stderr)
				}
				if want := fmt.Sprintf("plancheck.yaml:%d: ", tt.line); !strings.Contains(stderr, want) {
					noLine = append(noLine, fmt.Sprintf("%s: stderr %q does not name the line (%s)", cmd, stderr, want))
				}
				if strings.Contains(stdout, "S-1") {
					t.Errorf("%s: read the file outside the plan set", cmd)
				}
				_, stderr, code = runCLI(t, cmd, set, "--allow-outside")
				if code != exitClean && code != exitFindings {
					t.Errorf("%s --allow-outside: exit %d; stderr %q", cmd, code, stderr)
				}
			}
		})
	}
}

func defaultRules(t *testing.T) []byte {
	t.Helper()
	var out bytes.Buffer
	if code := run(context.Background(), []string{"plancheck", "rules", "--yaml"}, &out, &out); code != exitClean {
		t.Fatalf("rules --yaml: exit %d", code)
	}
	return out.Bytes()
}

// hostile are strings a plan set may carry in ids, classes, names and rule
// messages: HTML and script injection, Markdown table breakers, terminal
// escape sequences (CSI colour, an OSC 8 hyperlink ended by BEL, C1 CSI),
// a bare BEL and a bidi override.
var hostile = []string{
	`<script>alert(1)</script>`,
	`"><img src=x onerror=alert(1)>`,
	"a|b\n| c |\r\nd",
	"\x1b[31mred\x1b[0m",
	"\x1b]8;;https://evil.example/\x07click\x1b]8;;\x07",
	"bell\x07\u009b31mc1",
	"[x](javascript:alert(1)) `code` *em* \\| \u202etxt",
}

// hostileSet writes a plan set whose name, feature ids and classes and a
// rule's message are hostile strings. Every cm feature overlaps the
// farmland feature, so each id lands in conflict findings; the hostile
// classes are attribute-invalid findings that quote the class.
func hostileSet(t *testing.T) string {
	t.Helper()
	var cm []string
	for i, h := range hostile {
		cm = append(cm, feature(h, "R2", polygon(113+0.02*float64(i), 28, 0.01)))
		cm = append(cm, feature(fmt.Sprintf("C-%d", i), h, polygon(113+0.02*float64(i), 28.05, 0.01)))
	}
	rules := string(defaultRules(t)) + `
  - name: hostile-message
    severity: warning
    doc: |
      a rule whose message is hostile text

      Used by the reliability tests.
    message: ` + yamlString("rule message "+strings.Join(hostile, " ")+" {a.id}") + `
    a: [{level: city-master}]
    b: [{level: land-use}]
    relation: overlaps
`
	return writeTree(t, t.TempDir(), map[string]string{
		"plancheck.yaml": "name: " + yamlString("set "+strings.Join(hostile, " ")) + "\nasof: 2026\nrules: rules.yaml\nlayers:\n" +
			"  - {name: cm, level: city-master, file: cm.geojson, horizon: {base: 2014, target: 2030}}\n" +
			"  - {name: lu, level: land-use, file: lu.geojson, horizon: {base: 2020, target: 2030}}\n",
		"rules.yaml": rules,
		"cm.geojson": collection(cm...),
		"lu.geojson": collection(feature(hostile[0], "010", polygon(112.99, 27.99, 0.2))),
	})
}

// yamlString quotes s as a YAML double-quoted scalar: Go's ASCII quoting
// uses only escapes YAML also has (\x1b, \a, \n, \u009b, …).
func yamlString(s string) string { return strconv.QuoteToASCII(s) }

// controlBytes returns the terminal control characters in s: ESC, BEL,
// the C1 CSI and OSC (as UTF-8) and the bidi override U+202E.
func controlBytes(s string) []string {
	return findAll(s, "\x1b", "\x07", "\u009b", "\u009d", "\u202e")
}

func findAll(s string, chars ...string) []string {
	var found []string
	for _, c := range chars {
		if strings.Contains(s, c) {
			found = append(found, strconv.Quote(c))
		}
	}
	return found
}

// unescapedPipes counts the | of a Markdown table row that are not
// escaped by a backslash.
func unescapedPipes(row string) int {
	n := 0
	for i := 0; i < len(row); i++ {
		switch row[i] {
		case '\\':
			i++
		case '|':
			n++
		}
	}
	return n
}

// TestOutputIsInert: hostile ids, classes, names and messages come out
// inert in every format: report.html holds no markup from them, every
// report.md table row has the header's number of cells, text and github
// output hold no terminal control bytes (and one workflow command a line),
// SARIF, JSON and conflicts.geojson are valid JSON and JUnit is well-formed
// XML.
func TestOutputIsInert(t *testing.T) {
	dir := hostileSet(t)
	out := filepath.Join(t.TempDir(), "report")
	stdout, stderr, code := runCLI(t, "check", dir, "--out", out, "--format", "json")
	noPanic(t, stdout, stderr)
	if code != exitFindings {
		t.Fatalf("exit %d; stderr %s", code, stderr)
	}
	// The ids must reach the reports, or the test shows nothing.
	var rep struct {
		Findings []jsonFinding `json:"findings"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, f := range rep.Findings {
		for _, id := range f.Features {
			ids[id] = true
		}
	}
	for _, h := range hostile[:2] {
		if !ids[h] {
			t.Errorf("no finding carries the id %q; the plan set does not exercise the writers", h)
		}
	}

	read := func(name string) string {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	t.Run("html", func(t *testing.T) {
		page := read("report.html")
		for _, bad := range []string{"<script>alert", "<img", "onerror=alert(1)>", `href="javascript:`, "javascript:alert(1)\""} {
			if strings.Contains(page, bad) {
				i := strings.Index(page, bad)
				t.Errorf("report.html holds %q unescaped: …%s…", bad, page[max(0, i-80):min(len(page), i+80)])
			}
		}
		if c := controlBytes(page); c != nil {
			t.Errorf("report.html holds control characters %v", c)
		}
		if !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Errorf("report.html does not show the id escaped as &lt;script&gt;…")
		}
	})
	t.Run("markdown", func(t *testing.T) {
		md := read("report.md")
		if c := controlBytes(md); c != nil {
			t.Errorf("report.md holds control characters %v", c)
		}
		for _, bad := range []string{"<script>", "<img"} {
			if strings.Contains(md, bad) {
				t.Errorf("report.md holds raw %q", bad)
			}
		}
		header, rows := -1, 0
		for i, line := range strings.Split(md, "\n") {
			if !strings.HasPrefix(line, "|") {
				if header >= 0 && strings.TrimSpace(line) != "" {
					// A table ends at a blank line; anything else right
					// after a row is a row broken by a newline.
					t.Errorf("report.md:%d: text right after a table row (a broken row?): %q", i+1, line)
				}
				header = -1
				continue
			}
			n := unescapedPipes(line)
			if header < 0 {
				header = n
				continue
			}
			rows++
			if n != header {
				t.Errorf("report.md:%d: %d unescaped | in a row of a table whose header has %d: %q", i+1, n, header, line)
			}
		}
		if rows == 0 {
			t.Error("report.md has no table rows")
		}
	})
	t.Run("json files", func(t *testing.T) {
		for _, name := range []string{"report.json", "conflicts.geojson"} {
			if !json.Valid([]byte(read(name))) {
				t.Errorf("%s is not valid JSON", name)
			}
			if c := findAll(read(name), "\x1b", "\x07"); c != nil {
				t.Errorf("%s holds raw control characters %v", name, c)
			}
		}
	})
	t.Run("json escapes C1 and bidi", func(t *testing.T) {
		sarif, _, _ := runCLI(t, "check", dir, "--format", "sarif")
		var raw []string
		for name, s := range map[string]string{"report.json": read("report.json"), "conflicts.geojson": read("conflicts.geojson"), "--format sarif": sarif} {
			if c := controlBytes(s); c != nil {
				raw = append(raw, fmt.Sprintf("%s holds %v raw", name, c))
			}
		}
		if len(raw) > 0 {
		}
		for _, r := range raw {
			t.Error(r)
		}
	})
	for _, format := range []string{"text", "github", "sarif", "junit", "json"} {
		t.Run(format, func(t *testing.T) {
			stdout, stderr, code := runCLI(t, "check", dir, "--format", format)
			noPanic(t, stdout, stderr)
			if code != exitFindings {
				t.Fatalf("exit %d; stderr %s", code, stderr)
			}
			c := controlBytes(stdout)
			if format == "sarif" || format == "json" {
				// JSON escapes C0 controls (ESC, BEL) but leaves C1 and
				// bidi characters raw; see "json escapes C1 and bidi".
				c = findAll(stdout, "\x1b", "\x07")
			}
			if c != nil {
				t.Errorf("--format %s output holds control characters %v", format, c)
			}
			switch format {
			case "github":
				for i, line := range strings.Split(strings.TrimSuffix(stdout, "\n"), "\n") {
					if !strings.HasPrefix(line, "::error ") && !strings.HasPrefix(line, "::warning ") && !strings.HasPrefix(line, "::notice ") {
						t.Errorf("line %d is not a workflow command (a newline got through?): %q", i+1, line)
					}
				}
			case "sarif", "json":
				if !json.Valid([]byte(stdout)) {
					t.Fatalf("--format %s is not valid JSON", format)
				}
				var v any
				_ = json.Unmarshal([]byte(stdout), &v)
				if !strings.Contains(fmt.Sprint(v), hostile[0]) {
					t.Errorf("--format %s lost the id %q", format, hostile[0])
				}
			case "junit":
				dec := xml.NewDecoder(strings.NewReader(stdout))
				for {
					_, err := dec.Token()
					if err == io.EOF {
						break
					}
					if err != nil {
						t.Fatalf("--format junit is not well-formed XML: %v", err)
					}
				}
			}
		})
	}
}

// readDir returns the files of dir by name.
func readDir(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = b
	}
	return out
}

// sameFiles reports the files that differ between two report dirs.
func sameFiles(t *testing.T, what string, want, got map[string][]byte) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d files, want %d", what, len(got), len(want))
	}
	for name, w := range want {
		if g, ok := got[name]; !ok {
			t.Errorf("%s: no %s", what, name)
		} else if !bytes.Equal(g, w) {
			t.Errorf("%s: %s differs (%d vs %d bytes)", what, name, len(g), len(w))
		}
	}
}

// shuffleLayers rewrites every layer file of a plan set with its features
// in a random order (fixed seed), keeping each feature's text.
func shuffleLayers(t *testing.T, dir string, seed uint64) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "layers", "*.geojson"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no layer files in %s: %v", dir, err)
	}
	rng := rand.New(rand.NewPCG(seed, seed))
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var top map[string]json.RawMessage
		if err := json.Unmarshal(b, &top); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		var feats []json.RawMessage
		if err := json.Unmarshal(top["features"], &feats); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		rng.Shuffle(len(feats), func(i, j int) { feats[i], feats[j] = feats[j], feats[i] })
		var out bytes.Buffer
		out.WriteString("{")
		for k, v := range top {
			if k != "features" {
				out.WriteString(jsonString(k) + ":" + string(v) + ",\n")
			}
		}
		out.WriteString("\"features\":[\n")
		for i, f := range feats {
			if i > 0 {
				out.WriteString(",\n")
			}
			out.Write(f)
		}
		out.WriteString("\n]}\n")
		if err := os.WriteFile(p, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// withoutFields decodes JSON and drops every object member with one of the
// names, at any depth.
func withoutFields(t *testing.T, b []byte, names ...string) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	var strip func(any) any
	strip = func(v any) any {
		switch v := v.(type) {
		case map[string]any:
			for _, n := range names {
				delete(v, n)
			}
			for k, x := range v {
				v[k] = strip(x)
			}
		case []any:
			for i, x := range v {
				v[i] = strip(x)
			}
		}
		return v
	}
	return strip(v)
}

// TestDeterministicReports: on the bundled 长株潭 set, every report file
// and the SARIF output are byte-identical across repeated runs and
// GOMAXPROCS 1, 2 and 8. With the features of every layer shuffled,
// conflicts.geojson is byte-identical and report.json differs only in line
// numbers and file hashes.
func TestDeterministicReports(t *testing.T) {
	dir := copyCZT(t)
	check := func(t *testing.T, procs int, dir string) (map[string][]byte, string) {
		t.Helper()
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		out := filepath.Join(t.TempDir(), "report")
		stdout, stderr, code := runCLI(t, "check", dir, "--out", out, "--format", "sarif")
		if code != exitFindings {
			t.Fatalf("GOMAXPROCS=%d: exit %d; stderr %s", procs, code, stderr)
		}
		return readDir(t, out), stdout
	}
	want, wantSARIF := check(t, 2, dir)
	procs := []int{2, 1, 8}
	if testing.Short() {
		procs = procs[:1]
	}
	for _, p := range procs {
		got, sarif := check(t, p, dir)
		sameFiles(t, fmt.Sprintf("GOMAXPROCS=%d", p), want, got)
		if sarif != wantSARIF {
			t.Errorf("GOMAXPROCS=%d: SARIF output differs", p)
		}
	}

	shuffled := copyCZT(t)
	shuffleLayers(t, shuffled, 2030)
	got, _ := check(t, 2, shuffled)
	if !bytes.Equal(got["conflicts.geojson"], want["conflicts.geojson"]) {
		t.Errorf("conflicts.geojson differs after shuffling the features")
	}
	jsonDiff(t, "report.json after shuffling the features",
		withoutFields(t, want["report.json"], "line", "sha256"),
		withoutFields(t, got["report.json"], "line", "sha256"))
}

// jsonDiff reports the first line where two decoded JSON values differ.
func jsonDiff(t *testing.T, what string, a, b any) {
	t.Helper()
	if reflect.DeepEqual(a, b) {
		return
	}
	aj, _ := json.MarshalIndent(a, "", " ")
	bj, _ := json.MarshalIndent(b, "", " ")
	al, bl := strings.Split(string(aj), "\n"), strings.Split(string(bj), "\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			t.Errorf("%s: differs beyond line and sha256; first at line %d:\n  want %s\n  got  %s", what, i+1, al[i], bl[i])
			return
		}
	}
	t.Errorf("%s: differs beyond line and sha256 (%d vs %d lines)", what, len(al), len(bl))
}

// writeGrid writes a plan set of an n×n grid of city-master parcels over
// an n×n grid of basic farmland shifted by half a cell: about 4n²
// construction-on-basic-farmland conflicts, enough work to take seconds.
func writeGrid(t *testing.T, dir string, n int) string {
	t.Helper()
	var cm, lu []string
	for i := range n {
		for j := range n {
			lon, lat := 112.5+float64(i)*0.01, 27.5+float64(j)*0.01
			cm = append(cm, feature(fmt.Sprintf("R-%d-%d", i, j), "R2", polygon(lon, lat, 0.0099)))
			lu = append(lu, feature(fmt.Sprintf("F-%d-%d", i, j), "010", polygon(lon+0.005, lat+0.005, 0.0099)))
		}
	}
	return writeTree(t, dir, map[string]string{
		"plancheck.yaml": "name: grid\nasof: 2026\nlayers:\n" +
			"  - {name: cm, level: city-master, file: layers/cm.geojson, horizon: {base: 2014, target: 2030}}\n" +
			"  - {name: lu, level: land-use, file: layers/lu.geojson, horizon: {base: 2020, target: 2030}}\n",
		"layers/cm.geojson": collection(cm...),
		"layers/lu.geojson": collection(lu...),
	})
}

// buildPlancheck builds the command into a temp dir.
func buildPlancheck(t *testing.T) string {
	t.Helper()
	// go test puts its own go command first in PATH.
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command in PATH to build the binary with")
	}
	bin := filepath.Join(t.TempDir(), "plancheck")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	if out, err := exec.Command(goTool, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// started is a plancheck subprocess.
type started struct {
	cmd            *exec.Cmd
	stdout, stderr bytes.Buffer
	done           chan error
}

func start(t *testing.T, bin string, env []string, args ...string) *started {
	t.Helper()
	p := &started{cmd: exec.Command(bin, args...), done: make(chan error, 1)}
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	p.cmd.Env = append(os.Environ(), env...)
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	return p
}

// wait waits up to limit for the process to exit and returns its exit
// code, killing it and failing the test after limit.
func (p *started) wait(t *testing.T, limit time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(limit):
		p.cmd.Process.Kill()
		<-p.done
		t.Fatalf("still running %v after the signal; stderr %s", limit, p.stderr.String())
	}
	return p.cmd.ProcessState.ExitCode()
}

func (p *started) exited() bool {
	select {
	case err := <-p.done:
		p.done <- err
		return true
	default:
		return false
	}
}

// runBin runs the binary to the end and returns its exit code and
// duration.
func runBin(t *testing.T, bin string, env []string, args ...string) (int, time.Duration) {
	t.Helper()
	begin := time.Now()
	p := start(t, bin, env, args...)
	code := p.wait(t, 2*time.Minute)
	if code != exitClean && code != exitFindings {
		t.Fatalf("%v: exit %d; stderr %s", args, code, p.stderr.String())
	}
	return code, time.Since(begin)
}

// TestSignals runs the built binary. Ctrl-C (SIGINT) ends a long check
// promptly with exit 2 and no report files; SIGKILL at random moments of
// `check --out DIR` over a previous report leaves every report file
// complete, either the previous version or the new one, and writes
// nothing outside DIR.
func TestSignals(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs it on generated plan sets; runs without -short")
	}
	if runtime.GOOS == "windows" {
		t.Skip("sends SIGINT and SIGKILL")
	}
	bin := buildPlancheck(t)

	t.Run("interrupt", func(t *testing.T) {
		// 100×100 parcels over 100×100 farmland patches: about 20 s of
		// work with --out on 2 cores.
		set := writeGrid(t, t.TempDir(), 100)
		out := filepath.Join(t.TempDir(), "report")
		p := start(t, bin, nil, "check", set, "--out", out)
		time.Sleep(200 * time.Millisecond)
		if p.exited() {
			t.Fatalf("finished within 200 ms; the plan set is too small to interrupt")
		}
		sent := time.Now()
		if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
			t.Fatal(err)
		}
		code := p.wait(t, 5*time.Second)
		t.Logf("exit %d %v after SIGINT: %s", code, time.Since(sent).Round(time.Millisecond), strings.TrimSpace(p.stderr.String()))
		if code != exitUsage {
			t.Errorf("exit %d after SIGINT, want 2", code)
		}
		if !strings.Contains(p.stderr.String(), "cancel") {
			t.Errorf("stderr %q does not say the run was cancelled", p.stderr.String())
		}
		if entries, err := os.ReadDir(out); err == nil && len(entries) > 0 {
			t.Errorf("--out holds %d entries after SIGINT, want none", len(entries))
		}
	})

	t.Run("interrupt while rendering reports", func(t *testing.T) {
		set := writeGrid(t, t.TempDir(), 40)
		// Time the rules alone (no --out) and the whole run, then
		// interrupt half-way through rendering.
		_, rulesDone := runBin(t, bin, nil, "check", set)
		_, all := runBin(t, bin, nil, "check", set, "--out", filepath.Join(t.TempDir(), "full"))
		if all-rulesDone < 200*time.Millisecond {
			t.Skipf("rendering took only %v; nothing to interrupt", all-rulesDone)
		}
		out := filepath.Join(t.TempDir(), "report")
		p := start(t, bin, nil, "check", set, "--out", out)
		time.Sleep((rulesDone + all) / 2)
		if p.exited() {
			t.Skip("finished before the signal")
		}
		p.cmd.Process.Signal(os.Interrupt)
		code := p.wait(t, 5*time.Second)
		if code != exitUsage {
			t.Errorf("exit %d after SIGINT while rendering, want 2; stderr %q", code, p.stderr.String())
		}
		if entries, err := os.ReadDir(out); err == nil && len(entries) > 0 {
			t.Errorf("--out holds %d entries after SIGINT, want none", len(entries))
		}
	})

	t.Run("kill during report writes", func(t *testing.T) {
		set := writeGrid(t, t.TempDir(), 30)
		parent := t.TempDir()
		out := filepath.Join(parent, "report")
		tmp := t.TempDir() // TMPDIR of the runs: must stay empty
		env := []string{"TMPDIR=" + tmp}
		args := []string{"check", set, "--out", out, "--quiet"}

		// The previous report (asof 2040: more layers expired) and, in
		// another dir, the new one.
		runBin(t, bin, env, append(args, "--asof", "2040")...)
		prev := readDir(t, out)
		ref := filepath.Join(t.TempDir(), "ref")
		_, full := runBin(t, bin, env, "check", set, "--out", ref, "--quiet")
		next := readDir(t, ref)
		if bytes.Equal(prev["report.json"], next["report.json"]) {
			t.Fatal("the previous and new reports are the same; the test would show nothing")
		}
		setBefore, parentBefore := listTree(t, set), listTree(t, parent)
		delete(parentBefore, "report")

		verify := func(when string) (temps int) {
			t.Helper()
			entries, err := os.ReadDir(out)
			if err != nil {
				t.Fatalf("%s: %v", when, err)
			}
			for _, e := range entries {
				name := e.Name()
				if strings.HasPrefix(name, ".plancheck-tmp-") {
					temps++
					continue
				}
				b, err := os.ReadFile(filepath.Join(out, name))
				if err != nil {
					t.Fatal(err)
				}
				switch {
				case prev[name] == nil:
					t.Errorf("%s: unexpected file %s", when, name)
				case bytes.Equal(b, prev[name]), bytes.Equal(b, next[name]):
				default:
					t.Errorf("%s: %s (%d bytes) is neither the previous (%d) nor the new version (%d)", when, name, len(b), len(prev[name]), len(next[name]))
				}
				if strings.HasSuffix(name, "json") && !json.Valid(b) {
					t.Errorf("%s: %s is not valid JSON", when, name)
				}
			}
			for name := range prev {
				if _, err := os.Stat(filepath.Join(out, name)); err != nil {
					t.Errorf("%s: %s is missing", when, name)
				}
			}
			after := listTree(t, parent)
			for p := range after {
				if p != "report" && !strings.HasPrefix(p, "report/") {
					if _, ok := parentBefore[p]; !ok {
						t.Errorf("%s: %s written next to --out", when, p)
					}
				}
			}
			if got := listTree(t, set); fmt.Sprint(got) != fmt.Sprint(setBefore) {
				t.Errorf("%s: the plan set changed", when)
			}
			if e, _ := os.ReadDir(tmp); len(e) > 0 {
				t.Errorf("%s: %d files written to TMPDIR", when, len(e))
			}
			return temps
		}

		rng := rand.New(rand.NewPCG(2030, 7))
		killed, temps := 0, 0
		for i := range 7 {
			p := start(t, bin, env, args...)
			if i < 4 {
				// At a random moment of the run's second half, where
				// rendering and writing happen.
				time.Sleep(time.Duration(float64(full) * (0.5 + 0.6*rng.Float64())))
			} else {
				// Right after the first temporary file appears, plus
				// 0–2 ms: inside the write-and-rename window.
				deadline := time.Now().Add(2 * full)
				for time.Now().Before(deadline) && !p.exited() {
					if hasTemp(out) {
						time.Sleep(time.Duration(rng.IntN(2000)) * time.Microsecond)
						break
					}
					time.Sleep(50 * time.Microsecond)
				}
			}
			if !p.exited() {
				p.cmd.Process.Kill()
				killed++
			}
			<-p.done
			temps += verify(fmt.Sprintf("run %d", i))
		}
		t.Logf("%d of 7 runs killed (run time %v); %d temporary files left behind", killed, full.Round(time.Millisecond), temps)
		if killed == 0 {
			t.Error("no run was killed; the test showed nothing")
		}
		// A complete run replaces everything and removes the temporary
		// files killed runs left.
		runBin(t, bin, env, args...)
		if n := verify("after a complete run"); n != 0 {
			t.Errorf("%d .plancheck-tmp-* files left after a complete run", n)
		}
		sameFiles(t, "after a complete run", next, readDir(t, out))
	})
}

func hasTemp(dir string) bool {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".plancheck-tmp-") {
			return true
		}
	}
	return false
}

// TestReportFileModes: the report files --out writes are readable by
// others whenever a file the user writes (os.WriteFile 0644 under the same
// umask) would be, not left with os.CreateTemp's 0600.
func TestReportFileModes(t *testing.T) {
	dir := extract(t, "mixed")
	out := filepath.Join(t.TempDir(), "report")
	if _, stderr, code := runCLI(t, "check", dir, "--out", out); code != exitFindings {
		t.Fatalf("exit %d; stderr %s", code, stderr)
	}
	control := filepath.Join(t.TempDir(), "control")
	if err := os.WriteFile(control, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	want := fileMode(t, control) & 0o044
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if got := fileMode(t, filepath.Join(out, e.Name())); got&want != want {
			t.Errorf("%s has mode %v; a file the user writes gets read bits %v", e.Name(), got, want)
		}
	}
}

func fileMode(t *testing.T, p string) os.FileMode {
	t.Helper()
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return st.Mode().Perm()
}

// TestSpecialFiles: a layer, manifest or rules "file" that is a directory
// or a named pipe (FIFO, as a tar of a submitted plan set can hold) is exit
// 2 with a message naming it, at once: reading a FIFO would block forever,
// and neither --timeout nor Ctrl-C can end a blocked open.
func TestSpecialFiles(t *testing.T) {
	layer := "name: special\nlayers:\n  - {name: cm, level: city-master, file: layers/cm.geojson}\n"
	good := collection(feature("A", "R2", polygon(113, 28, 0.01)))

	t.Run("directory", func(t *testing.T) {
		dir := writeTree(t, t.TempDir(), map[string]string{"plancheck.yaml": layer})
		if err := os.MkdirAll(filepath.Join(dir, "layers", "cm.geojson"), 0o755); err != nil {
			t.Fatal(err)
		}
		_, stderr, code := runCLI(t, "check", dir)
		if code != exitUsage || !strings.Contains(stderr, "cm.geojson") || !strings.Contains(stderr, "directory") {
			t.Errorf("exit %d, stderr %q: want 2 naming the file and saying it is a directory", code, stderr)
		}
	})

	mkfifo, err := exec.LookPath("mkfifo")
	if err != nil {
		t.Skip("no mkfifo here")
	}
	fifo := func(t *testing.T, p string) {
		t.Helper()
		if out, err := exec.Command(mkfifo, p).CombinedOutput(); err != nil {
			t.Skipf("mkfifo: %v %s", err, out)
		}
	}
	// runUnblocking runs the CLI; if it has not returned after 5 s, it
	// opens the pipe for writing and closes it, so the blocked read ends,
	// and fails the test.
	runUnblocking := func(t *testing.T, pipe string, args ...string) (string, int) {
		t.Helper()
		type result struct {
			stderr string
			code   int
		}
		done := make(chan result, 1)
		go func() {
			var out, errOut bytes.Buffer
			code := run(context.Background(), append([]string{"plancheck"}, args...), &out, &errOut)
			done <- result{errOut.String(), code}
		}()
		select {
		case r := <-done:
			return r.stderr, r.code
		case <-time.After(5 * time.Second):
		}
		// A non-blocking open for writing succeeds only while a reader
		// waits; each one lets a blocked open return and read EOF.
		for {
			if w, err := os.OpenFile(pipe, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
				w.Close()
			}
			select {
			case r := <-done:
				t.Errorf("blocked on the pipe for 5 s (then exit %d, stderr %q)", r.code, r.stderr)
				return r.stderr, r.code
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
	tests := []struct {
		name  string
		pipe  string // relative to the plan set
		files map[string]string
		args  func(dir string) []string
	}{
		{"layer is a FIFO", "layers/cm.geojson", map[string]string{"plancheck.yaml": layer},
			func(dir string) []string { return []string{"check", dir, "--timeout", "1s"} }},
		{"validate a FIFO", "cm.geojson", nil,
			func(dir string) []string {
				return []string{"validate", filepath.Join(dir, "cm.geojson"), "--level", "city-master", "--timeout", "1s"}
			}},
		{"manifest is a FIFO", "plancheck.yaml", map[string]string{"layers/cm.geojson": good},
			func(dir string) []string { return []string{"check", dir, "--timeout", "1s"} }},
		{"rules file is a FIFO", "rules.yaml", map[string]string{"plancheck.yaml": layer + "rules: rules.yaml\n", "layers/cm.geojson": good},
			func(dir string) []string { return []string{"check", dir, "--timeout", "1s"} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeTree(t, t.TempDir(), tt.files)
			pipe := filepath.Join(dir, filepath.FromSlash(tt.pipe))
			if err := os.MkdirAll(filepath.Dir(pipe), 0o755); err != nil {
				t.Fatal(err)
			}
			fifo(t, pipe)
			stderr, code := runUnblocking(t, pipe, tt.args(dir)...)
			if code != exitUsage || !strings.Contains(stderr, filepath.Base(pipe)) || !strings.Contains(stderr, "not a regular file") {
				t.Errorf("exit %d, stderr %q: want 2 naming the file and saying it is not a regular file", code, stderr)
			}
		})
	}
}
