package rules_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/plancheck/plancheck/rules"
)

func TestParseDoc(t *testing.T) {
	tests := []struct {
		name string
		text string
		want rules.Doc
	}{
		{"every part", "a title\n\nWhat it detects.\nWhy it matters.\nFix: move it.\n\n中文说明。", rules.Doc{
			Title: "a title", Detects: "What it detects.", Why: "Why it matters.", Fix: "Move it.", TextZH: "中文说明。"}},
		{"no why", "a title\n\nWhat it detects.\nFix: move it.", rules.Doc{Title: "a title", Detects: "What it detects.", Fix: "Move it."}},
		{"body only", "t\n\nd", rules.Doc{Title: "t", Detects: "d"}},
		{"several why lines", "t\n\nd\nw1\nw2", rules.Doc{Title: "t", Detects: "d", Why: "w1\nw2"}},
		{"Chinese first is what it detects", "t\n\n禁止开发区内的建设。", rules.Doc{Title: "t", Detects: "禁止开发区内的建设。"}},
		{"title only", "a title", rules.Doc{Title: "a title"}},
		{"no blank line: no body, and no title either", "a title\nmore", rules.Doc{Title: "a title\nmore"}},
		{"CRLF", "t\r\n\r\nd\r\nFix: f\r\n", rules.Doc{Title: "t", Detects: "d", Fix: "F"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := rules.ParseDoc(tt.text); got != tt.want {
				t.Errorf("ParseDoc(%q)\n got %+v\nwant %+v", tt.text, got, tt.want)
			}
		})
	}
}

// A rules file gives doc: as a mapping of its fields or, as before, as one
// text; explain and the reports see the same fields either way.
func TestRulesFileDoc(t *testing.T) {
	rule := func(doc string) string {
		return "rules:\n  - name: cs-farmland\n    severity: error\n" + doc +
			"    relation: overlaps\n    a: [{level: city-master}]\n    b: [{level: land-use}]\n"
	}
	want := rules.Doc{Title: "construction on farmland", TitleZH: "建设占用农田", Detects: "Finds construction land on 010.",
		Why: "Farmland is protected.", Fix: "Move it.", TextZH: "建设用地占用基本农田。"}
	tests := []struct {
		name, doc string
		want      rules.Doc
		err       string
	}{
		{"mapping", `    doc:
      title: construction on farmland
      title_zh: 建设占用农田
      detects: >-
        Finds construction land
        on 010.
      why: Farmland is protected.
      fix: Move it.
      text_zh: 建设用地占用基本农田。
`, want, ""},
		{"one text, as before", `    doc: |
      construction on farmland

      Finds construction land on 010.
      Farmland is protected.
      Fix: move it.

      建设用地占用基本农田。
`, rules.Doc{Title: want.Title, Detects: want.Detects, Why: want.Why, Fix: want.Fix, TextZH: want.TextZH}, ""},
		{"unknown doc key", "    doc:\n      title: t\n      detect: d\n", rules.Doc{}, `r.yaml:6: unknown key "detect" in a doc (want title, detects, why, fix, title_zh, text_zh)`},
		{"mapping without detects", "    doc:\n      title: t\n", rules.Doc{}, "doc says nothing after its title"},
		{"mapping without a title", "    doc:\n      detects: d\n", rules.Doc{}, "doc has no title"},
		{"mapping with a capital title", "    doc:\n      title: The rule.\n      detects: d\n", rules.Doc{}, `title "The rule." must be lowercase`},
		{"two-line title", "    doc:\n      title: |\n        one\n        two\n      detects: d\n", rules.Doc{}, "must be one line"},
		{"no doc", "", rules.Doc{}, "no doc"},
		{"doc a list", "    doc: [a, b]\n", rules.Doc{}, "r.yaml:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rf, err := rules.ParseRulesFile([]byte(rule(tt.doc)), "r.yaml")
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			r := rf.Rules[0].Rule()
			if r.Doc != tt.want {
				t.Errorf("doc\n got %+v\nwant %+v", r.Doc, tt.want)
			}
			if err := rules.Validate([]*rules.Rule{r}); err != nil {
				t.Error(err)
			}
		})
	}
}

// Every rule of the default set and every input check has its doc in
// fields, with a Chinese title and text, and what it reads is said.
func TestDocsComplete(t *testing.T) {
	for _, r := range append(rules.All(), rules.InputRules()...) {
		d := r.Doc
		if d.Title == "" || d.TitleZH == "" || d.Detects == "" || d.Fix == "" || d.TextZH == "" {
			t.Errorf("%s: doc lacks a part: %+v", r.Name, d)
		}
		text := r.Info().Doc
		for _, s := range r.Settings {
			if !strings.Contains(text, s.Name+": ") {
				t.Errorf("%s: explain does not list setting %s:\n%s", r.Name, s.Name, text)
			}
		}
	}
}

func TestDocText(t *testing.T) {
	d := rules.Doc{Title: "t", TitleZH: "标题", Detects: "d", Why: "w", Fix: "f", TextZH: "说明文字"}
	s := rules.Setting{Name: "reach_m", Default: 300, Max: 1000, Unit: "m", Doc: "how far"}
	want := "t\n标题\n\nDetects\nd\n\nWhy it matters\nw\n\nFix\nf\n\n说明\n说明文字\n\nSettings (settings: in plancheck.yaml)\nreach_m: 300 m (0 to 1000 m) — how far"
	if got := d.Text([]rules.Setting{s}); got != want {
		t.Errorf("Text:\n%s\nwant:\n%s", got, want)
	}
	if got := (rules.Doc{Title: "t", Detects: "d"}).Text(nil); got != "t\n\nDetects\nd" {
		t.Errorf("Text of a short doc: %q", got)
	}
}

// A doc written as one text, as rules files had them, read into fields
// and rendered as explain prints it.
func ExampleParseDoc() {
	d := rules.ParseDoc(`construction on farmland

Finds construction land on basic farmland (010).
Basic farmland is under the strictest protection.
Fix: move the construction land.

建设用地占用基本农田，须调整。`)
	fmt.Println(d.Text(nil))
	// Output:
	// construction on farmland
	//
	// Detects
	// Finds construction land on basic farmland (010).
	//
	// Why it matters
	// Basic farmland is under the strictest protection.
	//
	// Fix
	// Move the construction land.
	//
	// 说明
	// 建设用地占用基本农田，须调整。
}
