package review

import (
	"strings"
	"testing"

	"github.com/plancheck/plancheck/rules"
)

func TestParseDecisions(t *testing.T) {
	ds, err := ParseDecisions([]byte(`# header comment
decisions:
  - rule: construction-on-basic-farmland
    features: [changsha-master#CS-0102, land-use#LU-0480]
    status: accepted
    method: 依法调整基本农田
    opinion: 保留建设用地，按占补平衡补划
    basis: 国函〔2024〕12号
    by: 长沙市自然资源和规划局
    date: 2026-03-01
    expires: 2027-12-31
  - fingerprint: E4D1F0AA53645763
    status: under-review
    method:
`), "decisions.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := []rules.Decision{
		{Rule: "construction-on-basic-farmland", Features: []string{"changsha-master#CS-0102", "land-use#LU-0480"}, Status: "accepted",
			Method: "依法调整基本农田", Opinion: "保留建设用地，按占补平衡补划", Basis: "国函〔2024〕12号", By: "长沙市自然资源和规划局",
			Date: "2026-03-01", Expires: "2027-12-31", File: "decisions.yaml", Line: 3},
		{Fingerprint: "e4d1f0aa53645763", Status: "under-review", File: "decisions.yaml", Line: 12},
	}
	if len(ds) != len(want) {
		t.Fatalf("got %d decisions, want %d", len(ds), len(want))
	}
	for i := range want {
		if got := ds[i]; !sameDecision(got, want[i]) {
			t.Errorf("decision %d:\n got %+v\nwant %+v", i, got, want[i])
		}
	}
}

func sameDecision(a, b rules.Decision) bool {
	return a.Rule == b.Rule && strings.Join(a.Features, ",") == strings.Join(b.Features, ",") && a.Fingerprint == b.Fingerprint &&
		a.Status == b.Status && a.Method == b.Method && a.Opinion == b.Opinion && a.Basis == b.Basis && a.By == b.By &&
		a.Date == b.Date && a.Expires == b.Expires && a.File == b.File && a.Line == b.Line
}

func TestParseDecisionsEmpty(t *testing.T) {
	for _, text := range []string{"", "# nothing yet\n", "decisions:\n", "decisions: []\n", "decisions:\n  # - rule: x\n"} {
		ds, err := ParseDecisions([]byte(text), "d.yaml")
		if err != nil || len(ds) != 0 {
			t.Errorf("%q: got %v, %v; want no decisions and no error", text, ds, err)
		}
	}
}

func TestParseDecisionsErrors(t *testing.T) {
	entry := "decisions:\n  - rule: layer-overlap\n    features: [a#1, a#2]\n    status: to-fix\n"
	// The fingerprint of layer-overlap a#2 × a#1: entry names it too.
	fp := refsFingerprint("layer-overlap", []string{"a#2", "a#1"})
	for _, tc := range []struct {
		name, text, want string
	}{
		{"unknown top key", "decision:\n  - {}\n", `d.yaml:1: unknown key "decision" (want decisions)`},
		{"not a list", "decisions: yes\n", "d.yaml:1: decisions must be a list"},
		{"unknown entry key", entry + "    statu: accepted\n", `d.yaml:5: unknown key "statu" (want rule, features, fingerprint, status, method, opinion, basis, by, date, expires)`},
		{"duplicate key", entry + "    status: accepted\n", `d.yaml:5: duplicate key "status"`},
		{"duplicate entry", entry + "  - rule: layer-overlap\n    features: [a#2, a#1]\n    status: accepted\n    basis: X\n", "d.yaml:5: duplicate decision for the same finding (first at line 2)"},
		{"duplicate fingerprint", "decisions:\n  - fingerprint: 0123456789abcdef\n    status: to-fix\n  - fingerprint: 0123456789ABCDEF\n    status: to-fix\n", "d.yaml:4: duplicate decision"},
		{"duplicate fingerprint with a rule", "decisions:\n  - fingerprint: 0123456789abcdef\n    status: to-fix\n  - rule: layer-overlap\n    fingerprint: 0123456789abcdef\n    status: to-fix\n", "d.yaml:4: duplicate decision for the same finding (first at line 2)"},
		{"features then their fingerprint", entry + "  - fingerprint: " + fp + "\n    status: accepted\n    basis: X\n", "d.yaml:5: duplicate decision for the same finding (first at line 2)"},
		{"fingerprint then its features", "decisions:\n  - fingerprint: " + fp + "\n    status: to-fix\n" + strings.TrimPrefix(entry, "decisions:\n"), "d.yaml:4: duplicate decision for the same finding (first at line 2)"},
		{"accepted without basis", "decisions:\n  - rule: layer-overlap\n    features: [a#1, a#2]\n    status: accepted\n", "d.yaml:2: an accepted decision needs its basis (依据文号)"},
		{"bad status", "decisions:\n  - fingerprint: 0123456789abcdef\n    status: done\n", `d.yaml:3: status "done" is not one of accepted, to-fix, under-review`},
		{"no status", "decisions:\n  - fingerprint: 0123456789abcdef\n", "d.yaml:2: a decision needs a status"},
		{"bad date", entry + "    date: 2026-02-30\n", `d.yaml:5: date "2026-02-30" is not a date YYYY-MM-DD`},
		{"bad expires", entry + "    expires: next year\n", `d.yaml:5: expires "next year" is not a date YYYY-MM-DD`},
		{"expires before date", entry + "    date: 2026-03-01\n    expires: 2026-02-01\n", "d.yaml:2: expires 2026-02-01 is before date 2026-03-01"},
		{"bad fingerprint", "decisions:\n  - fingerprint: e4d1\n    status: to-fix\n", `d.yaml:2: fingerprint "e4d1" is not 16 hexadecimal digits`},
		{"bad feature", "decisions:\n  - rule: layer-overlap\n    features: [CS-0102]\n    status: to-fix\n", `d.yaml:3: feature "CS-0102" is not layer#id`},
		{"features without rule", "decisions:\n  - features: [a#1]\n    status: to-fix\n", "d.yaml:2: a decision naming features needs the rule"},
		{"both forms", "decisions:\n  - rule: r\n    features: [a#1]\n    fingerprint: 0123456789abcdef\n    status: to-fix\n", "d.yaml:2: give features or fingerprint, not both"},
		{"neither form", "decisions:\n  - rule: r\n    status: to-fix\n", "d.yaml:2: a decision names its finding by rule and features, or by fingerprint"},
		{"not a mapping", "decisions:\n  - just text\n", "d.yaml:2: a decision is a mapping"},
		{"bad yaml", "decisions:\n  - rule: [\n", "d.yaml: not valid YAML"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseDecisions([]byte(tc.text), "d.yaml")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
