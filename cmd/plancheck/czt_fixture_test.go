package main

import (
	"bufio"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// TestFixtureCZTExpected checks the bundled plan set against what its
// README (written by fixtures/gen) promises: every expected finding, by
// rule and features, with its area within the README's tolerance; every
// planted feature firing its rule; no near miss (village land H14
// outside the development boundary, G* green space in the red line,
// control lines that only touch, ...) firing its rule; and crs-suspect
// naming the GCJ-02 copy and no other layer.
func TestFixtureCZTExpected(t *testing.T) {
	dir := filepath.Join(repoRoot, "fixtures", "czt")
	stdout, stderr, code := runCLI(t, "check", dir, "--format", "json", "--quiet")
	if code != exitFindings {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep struct {
		Findings []struct {
			Rule     string   `json:"rule"`
			Layers   []string `json:"layers"`
			Features []string `json:"features"`
			AreaM2   float64  `json:"area_m2"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	// key names a finding by its features (layer#id, sorted), or "" for a
	// layer-level one.
	got := map[string]map[string][]float64{}
	fired := map[string]map[string]bool{} // rule → layer#id
	for _, f := range rep.Findings {
		var refs []string
		for i, id := range f.Features {
			refs = append(refs, f.Layers[i]+"#"+id)
		}
		sort.Strings(refs)
		key := strings.Join(refs, " ")
		if got[f.Rule] == nil {
			got[f.Rule], fired[f.Rule] = map[string][]float64{}, map[string]bool{}
		}
		got[f.Rule][key] = append(got[f.Rule][key], f.AreaM2)
		for _, r := range refs {
			fired[f.Rule][r] = true
		}
		if f.Rule == "crs-suspect" && !slices.Equal(f.Layers, []string{"zhuzhou-master-gcj"}) {
			t.Errorf("crs-suspect names %v, want only zhuzhou-master-gcj", f.Layers)
		}
	}

	readme := readREADME(t, filepath.Join(dir, "README.md"))
	counted := 0
	for rule, n := range readme.counts {
		total := 0
		for _, as := range got[rule] {
			total += len(as)
		}
		if total != n {
			t.Errorf("%s: %d findings, README expects %d", rule, total, n)
		}
		counted += n
	}
	if counted != len(rep.Findings) {
		t.Errorf("%d findings, README expects %d", len(rep.Findings), counted)
	}
	for _, e := range readme.expected {
		as := got[e.rule][e.key]
		if len(as) == 0 {
			t.Errorf("no %s finding for %q (README)", e.rule, e.key)
			continue
		}
		// Findings with the same key (layer-level ones) pair by area.
		k := 0
		for i := range as {
			if math.Abs(as[i]-e.areaM2) < math.Abs(as[k]-e.areaM2) {
				k = i
			}
		}
		a := as[k]
		got[e.rule][e.key] = slices.Delete(slices.Clone(as), k, k+1)
		// The generator's areas are planar estimates, rounded to 10 m²
		// above 100 m²: polygons within about 1 %, corridors (built of
		// rectangles and end caps) a few %.
		tol := 10 + 0.02*e.areaM2
		if strings.HasPrefix(e.rule, "infrastructure-") {
			tol = 10 + 0.1*e.areaM2
		}
		if e.areaM2 > 0 && math.Abs(a-e.areaM2) > tol {
			t.Errorf("%s %q: %.2f m², README ≈ %.1f", e.rule, e.key, a, e.areaM2)
		}
	}
	for _, p := range readme.planted {
		if !fired[p.rule][p.ref] {
			t.Errorf("planted %s does not fire %s", p.ref, p.rule)
		}
	}
	if len(readme.near) < 5 {
		t.Fatalf("%d near misses in the README", len(readme.near))
	}
	for _, p := range readme.near {
		if fired[p.rule][p.ref] {
			t.Errorf("near miss %s fires %s", p.ref, p.rule)
		}
	}
	for _, want := range []string{
		"changsha-master#CS-0061 urban-land-outside-development-boundary", // H14 village outside the boundary
		"control-lines#ST-NEAR-G-1 construction-in-ecological-redline",    // G* in the red line
		"control-lines#YJ-NEAR-TOUCH-1 control-lines-overlap",             // touching, not overlapping
		"control-lines#ST-NEAR-TOUCH-1 control-lines-overlap",
	} {
		if !slices.ContainsFunc(readme.near, func(p plantedRow) bool { return p.ref+" "+p.rule == want }) {
			t.Errorf("README lists no near miss %s", want)
		}
	}
}

type expectedRow struct {
	rule, key string
	areaM2    float64 // 0: not stated
}

type plantedRow struct{ ref, rule string }

type readmeExpectations struct {
	counts        map[string]int
	expected      []expectedRow
	planted, near []plantedRow
}

var (
	refRE     = regexp.MustCompile("`([a-z0-9-]+#[^`]+)`")
	sectionRE = regexp.MustCompile(`^### ([a-z0-9-]+) \((error|warning|info)\)$`)
)

// readREADME reads the tables of fixtures/czt/README.md: the count per
// rule, each rule's table of findings (features in the first two cells,
// the area in the third for pair rules), the planted features and the
// near misses.
func readREADME(t *testing.T, path string) readmeExpectations {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := readmeExpectations{counts: map[string]int{}}
	section, rule := "", ""
	var header []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "## "):
			section, rule, header = line[3:], "", nil
			continue
		case strings.HasPrefix(line, "### "):
			rule, header = "", nil
			if m := sectionRE.FindStringSubmatch(line); m != nil && section == "Expected findings" {
				rule = m[1]
			}
			continue
		case !strings.HasPrefix(line, "| "):
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), " | ")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		if header == nil {
			header = cells
			continue
		}
		if strings.HasPrefix(cells[0], "---") {
			continue
		}
		switch {
		case section == "Expected findings" && rule == "" && header[0] == "rule" && len(cells) == 3 && !strings.HasPrefix(cells[0], "**"):
			n, err := strconv.Atoi(cells[2])
			if err != nil {
				t.Fatalf("README count row %q", line)
			}
			out.counts[cells[0]] = n
		case section == "Expected findings" && rule != "":
			var refs []string
			for _, c := range cells[:min(2, len(cells))] {
				for _, m := range refRE.FindAllStringSubmatch(c, -1) {
					refs = append(refs, m[1])
				}
			}
			sort.Strings(refs)
			e := expectedRow{rule: rule, key: strings.Join(refs, " ")}
			if len(header) > 2 && strings.HasPrefix(header[2], "area") {
				e.areaM2, _ = strconv.ParseFloat(cells[2], 64)
			}
			if len(header) > 1 && strings.HasPrefix(header[1], "area") {
				e.areaM2, _ = strconv.ParseFloat(cells[1], 64)
			}
			out.expected = append(out.expected, e)
		case section == "Planted features" || strings.HasPrefix(section, "Near misses"):
			p := plantedRow{ref: cells[1] + "#" + strings.Trim(cells[0], "`"), rule: cells[3]}
			if section == "Planted features" {
				out.planted = append(out.planted, p)
			} else {
				out.near = append(out.near, p)
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out.counts) == 0 || len(out.expected) == 0 || len(out.planted) == 0 {
		t.Fatalf("README tables not found: %d counts, %d findings, %d planted", len(out.counts), len(out.expected), len(out.planted))
	}
	return out
}
