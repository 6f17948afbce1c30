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
	"unicode/utf8"

	"github.com/plancheck/plancheck/rules"
)

// wordyResult has findings whose rows are long (bilingual messages of
// about 400 characters, as the bundled plan set's are): warnings of the
// rule listed first, errors of the rule listed last, and 40 districts ×
// 3 rules of statistics.
func wordyResult(findings int) *rules.Result {
	r := &rules.Result{PlanSet: "wordy", Date: "2026-03-01",
		Rules: []rules.RuleInfo{{Name: "timing-horizon", Severity: rules.Warning}, {Name: "construction-on-basic-farmland", Severity: rules.Error}}}
	zh := strings.Repeat("城镇建设用地位于城镇开发边界外", 8)
	en := strings.Repeat("urban land lies outside the urban development boundary ", 4)
	for i := 0; i < findings; i++ {
		f := rules.Finding{Rule: "timing-horizon", Severity: rules.Warning, Layers: []string{"changsha-master", "land-use"},
			Features: []string{"CS-" + strconv.Itoa(i), "LU-" + strconv.Itoa(i)}, Classes: []string{"R2", "010"},
			AreaM2: float64(1000 + i), Message: en, MessageZH: zh, Geometry: box(113, 28, 113.001, 28.001)}
		if i%2 == 1 {
			f.Rule, f.Severity = "construction-on-basic-farmland", rules.Error
		}
		r.Findings = append(r.Findings, f)
	}
	for d := 0; d < 40; d++ {
		r.Districts = append(r.Districts, rules.District{Name: "区" + strconv.Itoa(d), Code: strconv.Itoa(430100 + d), AreaM2: 1e8})
		for _, rule := range []string{"a", "b", "c"} {
			r.Statistics = append(r.Statistics, rules.DistrictStat{District: d, Rule: rule, Count: 1, AreaM2: 1e4, Share: 1e-4})
		}
	}
	rules.SortFindings(r.Findings)
	return r
}

// TestMarkdownFitsAComment: report.md stays within what a pull-request
// comment holds (65,536 characters) however long the rows are, with and
// without a baseline; rules with errors are listed first; every finding is
// listed or counted; the district table is cut with a pointer to
// statistics.csv.
func TestMarkdownFitsAComment(t *testing.T) {
	plain := wordyResult(400)
	reviewed := wordyResult(400)
	reviewed.Baseline = &rules.BaselineInfo{Dir: "base"}
	for i := range reviewed.Findings {
		state := rules.StateNew
		if i%3 == 0 {
			state = rules.StateUnchanged
		}
		reviewed.Findings[i].Review = &rules.Review{State: state, FirstSeen: "2026-01-01"}
	}
	for _, tc := range []struct {
		name string
		r    *rules.Result
	}{{"plain", plain}, {"baseline", reviewed}} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Markdown(&buf, tc.r); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			if n := utf8.RuneCountInString(out); n > markdownChars {
				t.Errorf("report.md is %d characters, want at most %d", n, markdownChars)
			}
			if !strings.HasSuffix(out, "400 findings: 200 errors, 200 warnings\n") {
				t.Errorf("report.md does not end with the totals: …%s", out[max(0, len(out)-200):])
			}
			listed := len(regexp.MustCompile(`(?m)^\| \d+ \|`).FindAllString(out, -1))
			if listed == 0 || listed >= 200 {
				t.Errorf("%d findings listed, want some, fewer than the 200-row cap", listed)
			}
			if !strings.Contains(out, "more rows (all in statistics.csv)") {
				t.Error("the district table is not cut")
			}
			if tc.name == "plain" {
				counted := 0
				for _, m := range regexp.MustCompile(`(?m)^(?:… and )?(\d+) (?:more )?findings? \(listed in`).FindAllStringSubmatch(out, -1) {
					n, _ := strconv.Atoi(m[1])
					counted += n
				}
				if listed+counted != 400 {
					t.Errorf("%d listed + %d counted, want 400", listed, counted)
				}
				errs, warns := strings.Index(out, "### construction-on-basic-farmland"), strings.Index(out, "### timing-horizon")
				if errs < 0 || warns < 0 || errs > warns {
					t.Errorf("the rule with errors is not listed first (at %d, the warnings at %d)", errs, warns)
				}
			}
		})
	}
}

// TestMarkdownInCmarkGFM renders report.md with cmark-gfm, GitHub's
// Markdown (apt-get install cmark-gfm), which omits raw HTML: nothing may
// be omitted, and every table row has its header's cells.
func TestMarkdownInCmarkGFM(t *testing.T) {
	cmark, err := exec.LookPath("cmark-gfm")
	if err != nil {
		t.Skip("no cmark-gfm on PATH (apt-get install cmark-gfm)")
	}
	for _, tc := range []struct {
		name string
		r    *rules.Result
	}{{"changsha", consumers()}, {"reviewed", reviewedResult()}, {"wordy", wordyResult(300)}} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Markdown(&buf, tc.r); err != nil {
				t.Fatal(err)
			}
			src := filepath.Join(t.TempDir(), "report.md")
			if err := os.WriteFile(src, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(cmark, "-e", "table", "-e", "strikethrough", "-e", "autolink", "-e", "tagfilter", src).Output()
			if err != nil {
				t.Fatal(err)
			}
			html := string(out)
			if strings.Contains(html, "raw HTML omitted") {
				t.Error("cmark-gfm omits raw HTML from report.md")
			}
			tables, rows, cells := 0, 0, -1
			pipe := regexp.MustCompile(`(^|[^\\])\|`)
			for _, l := range strings.Split(buf.String(), "\n") {
				switch {
				case strings.HasPrefix(l, "| ---"):
					tables++
				case strings.HasPrefix(l, "| "):
					rows++
					n := len(pipe.FindAllString(l, -1))
					if cells < 0 {
						cells = n
					} else if n != cells {
						t.Errorf("a row of %d cells under a header of %d: %s", n-1, cells-1, l)
					}
					continue
				}
				if !strings.HasPrefix(l, "|") {
					cells = -1
				}
			}
			if got := strings.Count(html, "<table>"); got != tables {
				t.Errorf("cmark-gfm renders %d tables, report.md has %d", got, tables)
			}
			if got := strings.Count(html, "<tr>"); got != rows {
				t.Errorf("cmark-gfm renders %d table rows, report.md has %d", got, rows)
			}
		})
	}
}
