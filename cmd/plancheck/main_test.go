package main

import (
	"bytes"
	"context"
	"flag"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/plancheck/plancheck/rules"
	"github.com/plancheck/plancheck/rules/report"
	"github.com/xuri/excelize/v2"
	"golang.org/x/tools/txtar"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

// extract writes a txtar scenario into a temp dir and returns the dir.
func extract(t *testing.T, name string) string {
	t.Helper()
	ar, err := txtar.ParseFile(filepath.Join("testdata", name+".txtar"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, f := range ar.Files {
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func runCLI(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), append([]string{"plancheck"}, args...), &out, &errOut)
	return out.String(), errOut.String(), code
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/plancheck -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run go test ./cmd/plancheck -update and review the diff)\n--- got ---\n%s", name, firstLines(got, 40))
	}
}

func firstLines(b []byte, n int) string {
	lines := strings.SplitAfter(string(b), "\n")
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "")
}

func TestCheckGolden(t *testing.T) {
	dir := extract(t, "mixed")
	for _, format := range []string{"text", "json", "sarif", "github", "junit"} {
		t.Run(format, func(t *testing.T) {
			// --path-base: CI formats name files from where plancheck runs,
			// and the plan set sits in a temporary directory.
			stdout, stderr, code := runCLI(t, "check", dir, "--format", format, "--quiet", "--path-base", dir)
			if code != exitFindings {
				t.Fatalf("exit %d, want %d; stderr: %s", code, exitFindings, stderr)
			}
			golden(t, "mixed.check."+format, []byte(stdout))
		})
	}
	out := filepath.Join(t.TempDir(), "report")
	if _, stderr, code := runCLI(t, "check", dir, "--out", out, "--quiet"); code != exitFindings {
		t.Fatalf("exit %d; stderr %s", code, stderr)
	}
	for _, f := range []string{"conflicts.geojson", "report.json", "report.md", "report.html"} {
		b, err := os.ReadFile(filepath.Join(out, f))
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "mixed.out."+f, b)
	}
	entries, _ := os.ReadDir(out)
	if want := len(report.DirFiles(&rules.Result{})); len(entries) != want {
		t.Errorf("report dir holds %d entries, want exactly the %d reports (no temp files)", len(entries), want)
	}
}

func TestCheckFindsEveryPlantedRule(t *testing.T) {
	dir := extract(t, "mixed")
	stdout, _, _ := runCLI(t, "check", dir, "--format", "json", "--quiet")
	for _, rule := range []string{"construction-on-basic-farmland", "green-heart-prohibited", "timing-horizon", "infrastructure-on-basic-farmland", "geometry-invalid", "timing-phase"} {
		if !strings.Contains(stdout, `"rule": "`+rule+`"`) && !strings.Contains(stdout, `"rule":"`+rule+`"`) {
			t.Errorf("no %s finding in the JSON report", rule)
		}
	}
}

func TestExitCodes(t *testing.T) {
	dir := extract(t, "mixed")
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"findings at error", []string{"check", dir, "--quiet"}, exitFindings},
		{"only warnings layer, fail on error", []string{"check", dir, "--only", "infra", "--quiet"}, exitClean},
		{"fail on warning", []string{"check", dir, "--only", "infra", "--fail-on", "warning", "--quiet"}, exitFindings},
		{"unknown format", []string{"check", dir, "--format", "xml"}, exitUsage},
		{"unknown fail-on", []string{"check", dir, "--fail-on", "fatal"}, exitUsage},
		{"no such dir", []string{"check", filepath.Join(dir, "nope")}, exitUsage},
		{"no args", []string{"check"}, exitUsage},
		{"unknown layer for only", []string{"check", dir, "--only", "nope"}, exitUsage},
		{"validate clean file", []string{"validate", filepath.Join(dir, "layers", "lu.geojson"), "--level", "land-use"}, exitClean},
		{"validate bad level", []string{"validate", filepath.Join(dir, "layers", "lu.geojson"), "--level", "zoning"}, exitUsage},
		{"validate plan set", []string{"validate", dir}, exitFindings},
		{"explain", []string{"explain", "green-heart-prohibited"}, exitClean},
		{"explain unknown", []string{"explain", "nope"}, exitUsage},
		{"rules", []string{"rules"}, exitClean},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, code := runCLI(t, tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tt.code, stderr)
			}
			if code == exitUsage && !strings.HasPrefix(stderr, "plancheck: ") {
				t.Errorf("usage error without a message: %q", stderr)
			}
		})
	}
}

func TestUnreadableLayerIsExit2(t *testing.T) {
	dir := extract(t, "mixed")
	if err := os.WriteFile(filepath.Join(dir, "layers", "lu.geojson"), []byte(`{"type":"FeatureCollection","features":[{"type":`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := runCLI(t, "check", dir)
	if code != exitUsage || !strings.Contains(stderr, "lu.geojson") {
		t.Fatalf("exit %d, stderr %q: want 2 naming the file", code, stderr)
	}
}

func TestDeterministic(t *testing.T) {
	dir := extract(t, "mixed")
	a, _, _ := runCLI(t, "check", dir, "--format", "json")
	b, _, _ := runCLI(t, "check", dir, "--format", "json")
	if a != b {
		t.Fatal("two runs on the same input differ")
	}
}

func TestFlagsAfterArguments(t *testing.T) {
	got, err := flagsFirst([]string{"plancheck", "check", "dir", "--out", "r", "--quiet", "--format=json", "--asof", "-1"})
	want := []string{"plancheck", "check", "--out", "r", "--quiet", "--format=json", "--asof", "-1", "--", "dir"}
	if err != nil || strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("got %q, %v, want %q", got, err, want)
	}
}

func TestDistrictStatisticsAndLedger(t *testing.T) {
	dir := extract(t, "cities")
	out := filepath.Join(t.TempDir(), "report")
	if _, stderr, code := runCLI(t, "check", dir, "--out", out, "--quiet"); code != exitFindings {
		t.Fatalf("exit %d; stderr %s", code, stderr)
	}
	csv, err := os.ReadFile(filepath.Join(out, "statistics.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(csv, []byte("\ufeff")) {
		t.Error("statistics.csv has no UTF-8 byte-order mark")
	}
	golden(t, "cities.out.statistics.csv", csv)
	for _, f := range []string{"report.json", "report.md"} {
		b, err := os.ReadFile(filepath.Join(out, f))
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "cities.out."+f, b)
	}

	x, err := excelize.OpenFile(filepath.Join(out, "ledger.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	rows, err := x.GetRows("冲突台账")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rows[0], ","); got != strings.Join(report.LedgerColumns, ",") {
		t.Fatalf("ledger header %q", got)
	}
	// Columns by header, as decisions import reads them.
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	cell := func(r []string, h string) string {
		if i, ok := col[h]; ok && i < len(r) {
			return r[i]
		}
		return ""
	}
	var farmland []string
	for _, r := range rows[1:] {
		if cell(r, "冲突类型") == "construction-on-basic-farmland" {
			farmland = r
		}
	}
	if farmland == nil {
		t.Fatal("no construction-on-basic-farmland row in the ledger")
	}
	// The patch is 0.01° × 0.01° at 28.05°N (108.9545 ha by pyproj Geod),
	// split evenly by the border at 113°E (54.4773 ha each): the larger
	// half decides the district, here a tie broken by order (长沙 first).
	if cell(farmland, "所在区县") != "长沙市 (430100)" || cell(farmland, "图层A") != "cm" || cell(farmland, "要素A") != "R-1" || cell(farmland, "图层B") != "lu" || cell(farmland, "要素B") != "F-1" {
		t.Errorf("ledger row %q", farmland)
	}
	if a := cell(farmland, "面积(公顷)"); a != "108.9545" {
		t.Errorf("area %q ha, want 108.9545", a)
	}
}

// TestFixtureCZT pins the report of the bundled plan set (the README's
// run command): every planted conflict listed in fixtures/czt/README.md.
func TestFixtureCZT(t *testing.T) {
	dir := filepath.Join("..", "..", "fixtures", "czt")
	out := filepath.Join(t.TempDir(), "report")
	stdout, stderr, code := runCLI(t, "check", dir, "--out", out, "--quiet")
	if code != exitFindings {
		t.Fatalf("exit %d; stderr %s", code, stderr)
	}
	golden(t, "czt.check.text", []byte(stdout))
	for _, f := range []string{"report.json", "statistics.csv", "conflicts.geojson"} {
		b, err := os.ReadFile(filepath.Join(out, f))
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "czt.out."+f, b)
	}
	vout, _, vcode := runCLI(t, "validate", dir)
	if vcode != exitFindings {
		t.Fatalf("validate exit %d, want 1 (the qa-invalid layer)", vcode)
	}
	golden(t, "czt.validate.text", []byte(vout))
}

func TestGrowthPercent(t *testing.T) {
	for _, c := range []struct {
		live uint64
		want int
	}{
		{0, 50},
		{100 << 20, 50},
		{512 << 20, 50},
		{768 << 20, 33},
		{1 << 30, 25},
		{2 << 30, 25},
		{10 << 30, 25},
	} {
		if got := growthPercent(c.live); got != c.want {
			t.Errorf("growthPercent(%d MiB) = %d, want %d", c.live>>20, got, c.want)
		}
	}
}

func TestMemoryLimitLeavesTheCollectorRoom(t *testing.T) {
	const mib = 1 << 20
	for _, c := range []struct {
		m       memory
		percent int
		want    int64
	}{
		{memory{live: 100 * mib, overhead: 40 * mib}, 50, 214 * mib},     // goal + slack
		{memory{live: 1024 * mib, overhead: 200 * mib}, 25, 1344 * mib},  // goal + slack
		{memory{live: 8192 * mib, overhead: 900 * mib}, 25, 10752 * mib}, // goal + live/16: 10M parcels
		{memory{live: 4096 * mib, overhead: 1500 * mib}, 25, 5852 * mib}, // live + overhead + live/16
		{memory{live: 1024 * mib, overhead: 1024 * mib}, 25, 2112 * mib}, // live + overhead + live/16
	} {
		if got := memoryLimit(c.m, c.percent); got != c.want {
			t.Errorf("memoryLimit(%d MiB live, %d MiB overhead, %d%%) = %d MiB, want %d MiB", c.m.live/mib, c.m.overhead/mib, c.percent, got/mib, c.want/mib)
		}
	}
}

// TestTuneGCFollowsCollections: after a collection the tuner has set a
// soft memory limit near the live heap (the default is no limit).
func TestTuneGCFollowsCollections(t *testing.T) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		t.Skip("the environment sets the collector")
	}
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
	stop := tuneGC()
	defer stop()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		runtime.GC()
		if limit := debug.SetMemoryLimit(-1); limit != math.MaxInt64 {
			if live := readMemory().live; uint64(limit) < live {
				t.Fatalf("memory limit %d below the live heap %d", limit, live)
			}
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("no collection ran the tuner within 10 s")
}
