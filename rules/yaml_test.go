package rules_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plancheck/plancheck/rules"
	"github.com/plancheck/plancheck/rules/rulestest"
)

func customRule(t *testing.T, relation string) *rules.Rule {
	t.Helper()
	src := `rules:
  - name: custom-` + relation + `
    severity: warning
    doc: |
      custom ` + relation + ` rule for tests

      Picks city construction land and land-use construction zones.
    message: "{a.layer}#{a.id} ` + relation + ` {b.layer}#{b.id} {area_m2}"
    a: [{level: city-master, category: [construction]}]
    b: [{level: land-use, code: ["03*"]}]
    relation: ` + relation + `
`
	rf, err := rules.ParseRulesFile([]byte(src), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return rf.Rules[0].Rule()
}

func TestCustomRelations(t *testing.T) {
	for _, rel := range []string{"within", "outside"} {
		t.Run(rel, func(t *testing.T) {
			rulestest.Run(t, customRule(t, rel), filepath.Join("testdata", "custom-"+rel))
		})
	}
}

func TestDefaultRulesFileParses(t *testing.T) {
	rf, err := rules.ParseRulesFile(rules.DefaultRulesYAML(), "default.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(rf.Rules) != 13 {
		t.Errorf("default.yaml has %d rules, want the 13 overlay rules", len(rf.Rules))
	}
}

func TestRulesFileErrors(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"unknown key", "rules:\n  - name: x\n    colour: red\n", `r.yaml:3: unknown key "colour" in a rule (want name, severity, doc,`},
		{"unknown selector key", "rules:\n  - name: x\n    a:\n      - {levle: city-master}\n", `r.yaml:4: unknown key "levle" in a selector (want level, layer, category, code, except_category, except_code, geometry)`},
		{"not a number", "rules:\n  - name: x\n    min_area_m2: big\n", `r.yaml:3: "big" is text, want a number`},
		{"tab", "rules:\n  - name: x\n\t  doc: d\n", `r.yaml:3: not valid YAML: found a tab character`},
		{"GBK", "rules:\n  - name: \xb3\xa4\xc9\xb3\n", `r.yaml:2: text is not UTF-8; it reads as GBK: "  - name: 长沙" — re-save the file as UTF-8`},
		{"disable an input check", "disable: [geometry-invalid]\n", `r.yaml:1: disable: "geometry-invalid" is an input check, which always runs`},
		{"disable an unknown rule on its own line", "disable:\n  - timing-horizon\n  - no-such-rule\n", `r.yaml:3: disable: "no-such-rule" is not a built-in rule`},
		{"bad relation", "rules:\n  - {name: x, severity: error, doc: d, relation: near, a: [{level: land-use}], b: [{level: land-use}]}\n", `r.yaml:2: rule 1 (x): unknown relation "near"`},
		{"second rule's value", "rules:\n  - {name: x, severity: error, doc: \"t\\n\\nd\", relation: overlaps, a: [{level: land-use}], b: [{level: land-use}]}\n\n  - name: y\n    severity: fatal\n", `r.yaml:4: rule 2 (y): `},
		{"duplicate name", "rules:\n  - {name: x, severity: error, doc: \"t\\n\\nd\", relation: overlaps, a: [{level: land-use}], b: [{level: land-use}]}\n  - {name: x, severity: error, doc: \"t\\n\\nd\", relation: overlaps, a: [{level: land-use}], b: [{level: land-use}]}\n", `r.yaml:3: rule 2 (x): duplicate name (first: rule 1)`},
		{"bad category", "rules:\n  - {name: x, severity: error, doc: \"t\\n\\nd\", relation: overlaps, a: [{category: [farmland]}], b: [{level: land-use}]}\n", `unknown category "farmland"`},
		{"bad level", "rules:\n  - {name: x, severity: error, doc: \"t\\n\\nd\", relation: overlaps, a: [{level: zoning}], b: [{level: land-use}]}\n", `unknown level "zoning"`},
		{"bad severity", "rules:\n  - {name: x, severity: fatal, doc: d, relation: overlaps, a: [{level: land-use}], b: [{level: land-use}]}\n", `unknown severity "fatal"`},
		{"one side", "rules:\n  - {name: x, severity: error, doc: \"t\\n\\nd\", relation: overlaps, a: [{level: land-use}]}\n", "both sides"},
		{"empty", "", "empty rules file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := rules.ParseRulesFile([]byte(tt.src), "r.yaml")
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "r.yaml") || strings.Contains(err.Error(), "rules.") {
				t.Fatalf("error %v, want it to name r.yaml and contain %q", err, tt.want)
			}
		})
	}
}

func TestDisableBuiltin(t *testing.T) {
	p := filepath.Join(t.TempDir(), "r.yaml")
	if err := os.WriteFile(p, []byte("disable: [timing-horizon]\nrules: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rs, err := rules.LoadRules(p)
	if err != nil {
		t.Fatal(err)
	}
	if rules.Lookup(rs, "timing-horizon") != nil || rules.Lookup(rs, "layer-overlap") == nil {
		t.Errorf("disable did not switch off exactly timing-horizon")
	}
	if err := os.WriteFile(p, []byte("disable: [no-such-rule]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := rules.LoadRules(p); err == nil {
		t.Error("disabling an unknown rule was accepted")
	}
}
