// Package rulestest runs a rule over small plan sets written as txtar
// archives and compares its findings with the archive's want section,
// in the manner of golang.org/x/tools/go/analysis/analysistest.
//
// Each archive holds a plancheck.yaml, the layer files it names (binary
// ones, such as a Shapefile's parts, base64-encoded as NAME.base64), and a
// "want" file with one line per expected finding:
//
//	city-master#R-1 × land-use#F-1 area=1234.5: overlaps basic farmland
//
// The subject is Finding.Subject(); "area=N" (optional) is the expected
// area in m², compared to 0.01% (or 0.01 m² for tiny areas); the text after
// ": " is a regular expression matched against the English message. Every
// finding of the rule must be wanted and every wanted line found.
package rulestest

import (
	"context"
	"encoding/base64"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/plancheck/plancheck/planning"
	"github.com/plancheck/plancheck/rules"
	"golang.org/x/tools/txtar"
)

// Run runs rule over every *.txtar in dir, each in its own subtest.
func Run(t *testing.T, rule *rules.Rule, dir string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.txtar"))
	if err != nil || len(files) == 0 {
		t.Fatalf("rulestest: no .txtar files in %s", dir)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			runArchive(t, rule, file)
		})
	}
}

type want struct {
	subject string
	area    float64
	hasArea bool
	re      *regexp.Regexp
	line    string
}

var wantRE = regexp.MustCompile(`^(.*?)(?:\s+area=([0-9.eE+-]+))?:\s(.*)$`)

// Findings loads the archive's plan set and runs rule on it, for tests
// that check more than the want lines.
func Findings(t *testing.T, rule *rules.Rule, file string) ([]rules.Finding, *txtar.Archive) {
	t.Helper()
	ar, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, f := range ar.Files {
		if f.Name == "want" {
			continue
		}
		name, data := f.Name, f.Data
		// Binary files (a Shapefile's parts) are written base64-encoded
		// as NAME.base64.
		if base, ok := strings.CutSuffix(name, ".base64"); ok {
			dec, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(data)), ""))
			if err != nil {
				t.Fatalf("%s: %s: %v", file, name, err)
			}
			name, data = base, dec
		}
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	set, err := planning.LoadPlanSet(context.Background(), filepath.Join(dir, planning.ManifestName), planning.ManifestOptions{Settings: rules.ManifestSettings}, 2026)
	if err != nil {
		t.Fatalf("loading %s: %v", file, err)
	}
	fs, err := rules.Run(context.Background(), set, []*rules.Rule{rule}, rules.Options{MinAreaM2: rules.DefaultMinAreaM2})
	if err != nil {
		t.Fatalf("running %s: %v", rule.Name, err)
	}
	return fs, ar
}

func runArchive(t *testing.T, rule *rules.Rule, file string) {
	t.Helper()
	got, ar := Findings(t, rule, file)
	var wants []want
	for _, f := range ar.Files {
		if f.Name != "want" {
			continue
		}
		for _, line := range strings.Split(string(f.Data), "\n") {
			line = strings.TrimSpace(line)
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			m := wantRE.FindStringSubmatch(line)
			if m == nil {
				t.Fatalf("bad want line %q", line)
			}
			w := want{subject: strings.TrimSpace(m[1]), line: line}
			if m[2] != "" {
				a, err := strconv.ParseFloat(m[2], 64)
				if err != nil {
					t.Fatalf("bad area in %q", line)
				}
				w.area, w.hasArea = a, true
			}
			re, err := regexp.Compile(m[3])
			if err != nil {
				t.Fatalf("bad regexp in %q: %v", line, err)
			}
			w.re = re
			wants = append(wants, w)
		}
	}
	used := make([]bool, len(got))
	for _, w := range wants {
		found := false
		for i, f := range got {
			if used[i] || f.Subject() != w.subject || !w.re.MatchString(f.Message) {
				continue
			}
			if w.hasArea && !areaClose(f.AreaM2, w.area) {
				t.Errorf("%s: area %.4f m², want %.4f", w.subject, f.AreaM2, w.area)
			}
			used[i] = true
			found = true
			break
		}
		if !found {
			t.Errorf("missing finding: %s", w.line)
		}
	}
	var extra []string
	for i, f := range got {
		if !used[i] {
			extra = append(extra, f.Subject()+" area="+strconv.FormatFloat(f.AreaM2, 'f', 2, 64)+": "+f.Message)
		}
	}
	sort.Strings(extra)
	for _, e := range extra {
		t.Errorf("unexpected finding: %s", e)
	}
}

func areaClose(got, want float64) bool {
	return math.Abs(got-want) <= math.Max(1e-4*math.Abs(want), 0.01)
}
