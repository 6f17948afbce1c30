package rules

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// rulesFileSeeds are hand-written rules files: small valid ones, YAML
// oddities (anchors, aliases, tags, flow style) and near misses.
var rulesFileSeeds = []string{
	"rules: []\n",
	"disable: [timing-horizon]\nrules: []\n",
	"disable: [no-such-rule]\n",
	"rules:\n  - name: r\n    severity: warning\n    doc: |\n      a title\n\n      body\n    a: [{level: city-master, code: [\"G*\"]}]\n    b: [{level: land-use, category: [basic-farmland]}]\n    relation: within\n    min_area_m2: 10\n",
	"rules:\n  - name: r\n    severity: error\n    doc: \"a title\"\n    a: [{}]\n    b: [{}]\n    relation: outside\n",
	"rules:\n  - &r {name: r, severity: info, doc: \"t\\n\\nd\", a: [{}], b: [{}], relation: overlaps}\n  - *r\n",
	"rules:\n  - name: geometry-invalid\n    severity: error\n    doc: \"t\\n\\nd\"\n    a: [{}]\n    b: [{}]\n    relation: overlaps\n",
	"rules:\n  - name: r\n    severity: error\n    doc: \"Title.\\n\\nd\"\n    a: [{code: [\"[\"]}]\n    b: [{layer: \"\\\\\"}]\n    relation: overlaps\n    min_area_m2: .nan\n",
	"rules: !!map {}\n",
	"a: &a [*a]\n",
	"rules:\n  - name: r\n    severity: error\n    doc: x\n    unknown: 1\n",
	"\ufeffrules: []\n",
	"---\nrules: []\n---\nrules: [1]\n",
	"{",
	"",
}

// FuzzRulesFile: ParseRulesFile never panics; an error names the file;
// an accepted file loads (the built-in Go rules minus those disabled, plus
// the file's rules, as LoadRules combines them) into a rule list that
// passes Validate.
//
// Run with: go test ./rules -run '^$' -fuzz FuzzRulesFile -fuzztime 60s
// Crashers land in testdata/fuzz/FuzzRulesFile/ and then run as tests.
func FuzzRulesFile(f *testing.F) {
	f.Add(DefaultRulesYAML())
	for _, s := range rulesFileSeeds {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		const name = "fuzz.yaml"
		rf, err := ParseRulesFile(data, name)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "rules: "+name+":") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if rf == nil {
			t.Fatal("nil rules file and nil error")
		}
		// The same bytes through the real loader.
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		rs, err := LoadRules(path)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "rules: "+path+": ") {
				t.Fatalf("LoadRules error does not name the file: %v", err)
			}
			// ParseRulesFile accepts docs, names and disable lists that
			// LoadRules then refuses (see TestParseRulesFileRefusesWhatLoadRulesRefuses).
			t.Fatalf("ParseRulesFile accepted a file LoadRules refuses: %v", err)
		}
		if err := Validate(rs); err != nil {
			t.Fatalf("LoadRules returned rules that fail Validate: %v", err)
		}
		for _, y := range rf.Rules {
			if Lookup(rs, y.Name) == nil {
				t.Fatalf("rule %q of the file is not in the loaded list", y.Name)
			}
		}
		for _, d := range rf.Disable {
			if r := Lookup(rs, d); r != nil && Lookup(goRules(), d) != nil && !fileDefines(rf, d) {
				t.Fatalf("disabled rule %q still loaded", d)
			}
		}
	})
}

func fileDefines(rf *RulesFile, name string) bool {
	for _, y := range rf.Rules {
		if y.Name == name {
			return true
		}
	}
	return false
}

// TestParseRulesFileRefusesWhatLoadRulesRefuses: every file ParseRulesFile
// accepts must load. Today ParseRulesFile checks a rule's doc only for
// being non-empty and never looks at duplicate names or the disable list,
// so these files pass it and fail later in LoadRules, with a stuttering
// message ("rules: f.yaml: rules: duplicate rule …") that does not name
// the rule's number. Every message names the file once, with one "rules: ".
func TestParseRulesFileRefusesWhatLoadRulesRefuses(t *testing.T) {
	rule := func(name, doc string) string {
		return "  - name: " + name + "\n    severity: error\n    doc: " + doc + "\n    a: [{}]\n    b: [{}]\n    relation: overlaps\n"
	}
	tests := []struct {
		name, file, want string
	}{
		{"doc without a blank line", "rules:\n" + rule("r", `"a title"`), "blank line"},
		{"title with a period", "rules:\n" + rule("r", `"A title.\n\nbody"`), "title"},
		{"duplicate name in the file", "rules:\n" + rule("r", `"t\n\nd"`) + rule("r", `"t\n\nd"`), "duplicate"},
		{"name of a built-in rule", "rules:\n" + rule("geometry-invalid", `"t\n\nd"`), "duplicate"},
		{"unknown disable", "disable: [no-such-rule]\n", "not a built-in rule"},
		{"unknown severity (refused today, with a stutter)", "rules:\n" + strings.Replace(rule("r", `"t\n\nd"`), "severity: error", "severity: fatal", 1), "unknown severity"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseRulesFile([]byte(tt.file), "f.yaml")
			if err == nil {
				t.Fatalf("ParseRulesFile accepted it")
			}
			msg := err.Error()
			if !regexp.MustCompile(`^rules: f\.yaml:\d+: `).MatchString(msg) || !strings.Contains(msg, tt.want) || strings.Count(msg, "rules: ") > 1 {
				t.Errorf("message %q: want the file and line, %q and one \"rules: \" prefix", msg, tt.want)
			}
		})
	}
}

// TestChineseDocTitle: a rule's doc may start with Chinese; Validate took
// the first byte of a multi-byte title for an upper-case letter.
func TestChineseDocTitle(t *testing.T) {
	path := filepath.Join(t.TempDir(), "zh.yaml")
	file := "rules:\n  - name: zh\n    severity: warning\n    doc: \"城市建设用地占用基本农田\\n\\n说明。\"\n    a: [{level: city-master}]\n    b: [{level: land-use}]\n    relation: overlaps\n"
	if err := os.WriteFile(path, []byte(file), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ParseRulesFile([]byte(file), path); err != nil {
		t.Fatalf("ParseRulesFile: %v", err)
	}
	if _, err := LoadRules(path); err != nil {
		t.Fatalf("LoadRules: %v", err)
	}
}
