package review

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/plancheck/plancheck/rules"
	"go.yaml.in/yaml/v3"
)

// DecisionError is a problem in a decisions file, with its line.
type DecisionError struct {
	File string
	Line int
	Msg  string
}

func (e *DecisionError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("review: %s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("review: %s: %s", e.File, e.Msg)
}

// decisionKeys are the keys of a decisions entry, in the order the
// skeleton and the importer write them.
var decisionKeys = []string{"rule", "features", "fingerprint", "status", "method", "opinion", "basis", "by", "date", "expires"}

var (
	fingerprintRE = regexp.MustCompile(`^[0-9a-f]{16}$`)
	featureRefRE  = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*#.+$`)
)

// ReadDecisions reads a decisions file. name is how messages and findings
// name it (the path as the manifest writes it).
func ReadDecisions(path, name string) ([]rules.Decision, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &DecisionError{File: name, Msg: err.Error()}
	}
	return ParseDecisions(data, name)
}

// ParseDecisions parses a decisions file: a mapping with one key,
// decisions, holding a list of entries. Unknown keys, duplicate entries,
// bad dates and an accepted decision without basis are errors naming the
// line.
func ParseDecisions(data []byte, name string) ([]rules.Decision, error) {
	errf := func(line int, format string, args ...any) error {
		return &DecisionError{File: name, Line: line, Msg: fmt.Sprintf(format, args...)}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, errf(0, "not valid YAML: %v", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if len(doc.Content) == 0 {
		return nil, nil // an empty file records no decisions yet
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, errf(root.Line, "a decisions file is a mapping with one key, decisions")
	}
	var list *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if k.Value != "decisions" {
			return nil, errf(k.Line, "unknown key %q (want decisions)", k.Value)
		}
		if list != nil {
			return nil, errf(k.Line, "duplicate key decisions")
		}
		list = v
	}
	if list == nil || (list.Kind == yaml.ScalarNode && list.Tag == "!!null") {
		return nil, nil
	}
	if list.Kind != yaml.SequenceNode {
		return nil, errf(list.Line, "decisions must be a list")
	}
	var out []rules.Decision
	seen := map[string]int{}
	for _, item := range list.Content {
		d, err := parseDecision(item, name, errf)
		if err != nil {
			return nil, err
		}
		// An entry naming a finding by fingerprint and one naming it by
		// rule and features are duplicates too: the second would never
		// decide anything.
		keys := []string{decisionKey(d)}
		if d.Fingerprint == "" {
			for _, fp := range featureFingerprints(d.Rule, d.Features) {
				keys = append(keys, decisionKey(rules.Decision{Fingerprint: fp}))
			}
		}
		for _, key := range keys {
			if first, dup := seen[key]; dup {
				return nil, errf(d.Line, "duplicate decision for the same finding (first at line %d)", first)
			}
		}
		for _, key := range keys {
			seen[key] = d.Line
		}
		out = append(out, d)
	}
	return out, nil
}

// featureFingerprints are the fingerprints a decision naming features (in
// any order) can stand for: one per order of up to four features (rules
// report one or two), none for more.
func featureFingerprints(rule string, features []string) []string {
	if len(features) > 4 {
		return nil
	}
	var out []string
	var permute func(k int, refs []string)
	permute = func(k int, refs []string) {
		if k == len(refs) {
			out = append(out, refsFingerprint(rule, refs))
			return
		}
		for i := k; i < len(refs); i++ {
			refs[k], refs[i] = refs[i], refs[k]
			permute(k+1, refs)
			refs[k], refs[i] = refs[i], refs[k]
		}
	}
	permute(0, slices.Clone(features))
	slices.Sort(out)
	return slices.Compact(out)
}

type errorf func(line int, format string, args ...any) error

func parseDecision(n *yaml.Node, file string, errf errorf) (rules.Decision, error) {
	d := rules.Decision{File: file, Line: n.Line}
	if n.Kind != yaml.MappingNode {
		return d, errf(n.Line, "a decision is a mapping (rule, features or fingerprint, status, …)")
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !slices.Contains(decisionKeys, k.Value) {
			return d, errf(k.Line, "unknown key %q (want %s)", k.Value, strings.Join(decisionKeys, ", "))
		}
		if seen[k.Value] {
			return d, errf(k.Line, "duplicate key %q", k.Value)
		}
		seen[k.Value] = true
		if k.Value == "features" {
			if v.Kind != yaml.SequenceNode {
				return d, errf(v.Line, "features must be a list of layer#id")
			}
			for _, it := range v.Content {
				if it.Kind != yaml.ScalarNode || !featureRefRE.MatchString(it.Value) {
					return d, errf(it.Line, "feature %q is not layer#id (e.g. changsha-master#CS-0102)", it.Value)
				}
				d.Features = append(d.Features, it.Value)
			}
			continue
		}
		if v.Kind != yaml.ScalarNode {
			return d, errf(v.Line, "%s must be a single value", k.Value)
		}
		s := strings.TrimSpace(v.Value)
		if v.Tag == "!!null" {
			s = "" // "method:" left empty, as the skeleton writes it
		}
		if s == "" {
			continue
		}
		switch k.Value {
		case "rule":
			d.Rule = s
		case "fingerprint":
			d.Fingerprint = strings.ToLower(s)
			if !fingerprintRE.MatchString(d.Fingerprint) {
				return d, errf(v.Line, "fingerprint %q is not 16 hexadecimal digits (the 编号 of a report)", s)
			}
		case "status":
			d.Status = s
			if _, ok := rules.DecisionLabelsZH[s]; !ok {
				return d, errf(v.Line, "status %q is not one of accepted, to-fix, under-review", s)
			}
		case "method":
			d.Method = s
		case "opinion":
			d.Opinion = s
		case "basis":
			d.Basis = s
		case "by":
			d.By = s
		case "date", "expires":
			if _, err := time.Parse(dateLayout, s); err != nil {
				return d, errf(v.Line, "%s %q is not a date YYYY-MM-DD", k.Value, s)
			}
			if k.Value == "date" {
				d.Date = s
			} else {
				d.Expires = s
			}
		}
	}
	switch {
	case len(d.Features) == 0 && d.Fingerprint == "":
		return d, errf(n.Line, "a decision names its finding by rule and features, or by fingerprint")
	case len(d.Features) > 0 && d.Fingerprint != "":
		return d, errf(n.Line, "give features or fingerprint, not both")
	case len(d.Features) > 0 && d.Rule == "":
		return d, errf(n.Line, "a decision naming features needs the rule")
	case d.Status == "":
		return d, errf(n.Line, "a decision needs a status (accepted, to-fix or under-review)")
	case d.Status == rules.DecisionAccepted && d.Basis == "":
		return d, errf(n.Line, "an accepted decision needs its basis (依据文号)")
	case d.Date != "" && d.Expires != "" && d.Expires < d.Date:
		return d, errf(n.Line, "expires %s is before date %s", d.Expires, d.Date)
	}
	return d, nil
}

// key identifies the finding a decision names, for duplicate detection:
// the rule and the features in any order, or the fingerprint (which
// hashes the rule: a rule beside it adds nothing).
func decisionKey(d rules.Decision) string {
	if d.Fingerprint != "" {
		return "\x00fp\x00" + d.Fingerprint
	}
	fs := slices.Clone(d.Features)
	slices.Sort(fs)
	return d.Rule + "\x00" + strings.Join(fs, "\x00")
}
