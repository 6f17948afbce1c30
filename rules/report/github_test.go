package report

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/plancheck/plancheck/rules"
)

// TestGitHubLimits: at most 10 annotations per level, the most severe and
// the new ones first, then one summary notice with the totals.
func TestGitHubLimits(t *testing.T) {
	r := &rules.Result{Baseline: &rules.BaselineInfo{Dir: "base"}}
	add := func(n int, sev rules.Severity, state string) {
		for i := 0; i < n; i++ {
			r.Findings = append(r.Findings, rules.Finding{
				Rule: "r-" + sev.String(), Severity: sev, Layers: []string{"a", "b"},
				Features: []string{state + strconv.Itoa(i), "x"}, AreaM2: float64(100 + i),
				Location: rules.Location{File: "layers/a.geojson", Line: i + 1},
				Review:   &rules.Review{State: state},
			})
		}
	}
	add(12, rules.Error, rules.StateUnchanged)
	add(5, rules.Error, rules.StateNew)
	add(3, rules.Warning, rules.StateUpdated)
	add(14, rules.Info, rules.StateNew)
	add(2, rules.Error, rules.StateAbsent)
	r.SourceRoot = "sets/x"
	rules.SortFindings(r.Findings)
	var buf bytes.Buffer
	if err := GitHub(&buf, r); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	count := map[string]int{}
	for _, l := range lines {
		cmd, _, _ := strings.Cut(l, " ")
		count[cmd]++
	}
	if count["::error"] != 10 || count["::warning"] != 3 || count["::notice"] != 10 {
		t.Errorf("annotations per level %v, want 10 errors, 3 warnings, 9 notices + the summary", count)
	}
	for i := 0; i < 5; i++ {
		if !strings.Contains(lines[i], "[new]") {
			t.Errorf("line %d is not a new error: %s", i+1, lines[i])
		}
	}
	if strings.Contains(buf.String(), "[absent]") {
		t.Error("a resolved finding is annotated")
	}
	last := lines[len(lines)-1]
	for _, want := range []string{"::notice title=plancheck summary::", "34 findings: 17 errors, 3 warnings, 14 info", "2 resolved", "report.md"} {
		if !strings.Contains(last, want) {
			t.Errorf("summary %q does not say %q", last, want)
		}
	}
	if !strings.Contains(lines[0], "file=sets/x/layers/a.geojson,line=") {
		t.Errorf("file not from the source root: %s", lines[0])
	}
}
