package rules

import (
	"fmt"
	"math"
	"regexp"
	"strconv"

	"github.com/plancheck/plancheck/planning"
)

// Setting is a tolerance a rule reads from the settings: of plancheck.yaml.
// Each rule declares the settings it reads (Rule.Settings); the manifest
// accepts exactly the settings its rule set declares.
type Setting struct {
	Name     string
	Default  float64
	Min, Max float64
	Unit     string // "m" or "years"
	Integer  bool   // whole numbers only
	// Doc says in one line what the setting changes.
	Doc string
}

// Manifest is the setting as the manifest reader checks it.
func (s Setting) Manifest() planning.Setting {
	return planning.Setting{Name: s.Name, Min: s.Min, Max: s.Max, Unit: s.Unit, Integer: s.Integer}
}

// Line describes the setting in one line, for explain and the reports'
// rule help: "boundary_reach_m: 300 m (0 to 10000 m) — what it does".
func (s Setting) Line() string {
	line := fmt.Sprintf("%s: %s %s (%s to %s %s)", s.Name, formatNumber(s.Default), s.Unit, formatNumber(s.Min), formatNumber(s.Max), s.Unit)
	if s.Integer {
		line = fmt.Sprintf("%s: %s %s (whole %s, %s to %s)", s.Name, formatNumber(s.Default), s.Unit, s.Unit, formatNumber(s.Min), formatNumber(s.Max))
	}
	if s.Doc != "" {
		line += " — " + s.Doc
	}
	return line
}

func formatNumber(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// settingsOf lists the settings a rule reads: its own and those of the
// rules it requires, each once.
func settingsOf(r *Rule) []Setting {
	return SettingsOf([]*Rule{r})
}

// SettingsOf lists the settings a rule set reads: those its rules and the
// rules they require declare, each once, in the order of first
// declaration. They are what the set's manifest accepts under settings:.
func SettingsOf(rs []*Rule) []Setting {
	// Required rules first (runOrder's order): a rule that shares its
	// settings with the rule it requires lists them in the same order.
	order, err := runOrder(rs)
	if err != nil {
		order = rs // a cycle, which Validate reports
	}
	var out []Setting
	seen := map[string]bool{}
	for _, r := range order {
		for _, s := range r.Settings {
			if !seen[s.Name] {
				seen[s.Name] = true
				out = append(out, s)
			}
		}
	}
	return out
}

// ManifestSettings is planning.ManifestOptions.Settings: the settings the
// rules of a rules file read ("" for the default rules), which a manifest
// may give. A rules file that does not load is reported where the run
// loads it; until then, the settings of every built-in rule.
func ManifestSettings(rulesPath string) ([]planning.Setting, error) {
	rs, err := LoadRules(rulesPath)
	if err != nil {
		rs = goRules()
	}
	var out []planning.Setting
	for _, s := range SettingsOf(rs) {
		out = append(out, s.Manifest())
	}
	return out, nil
}

// check: a name the manifest can carry, a finite range holding the
// default, a unit and a doc.
func (s Setting) check() error {
	switch {
	case !settingNameRE.MatchString(s.Name):
		return fmt.Errorf("setting %q: want a name of a-z, 0-9 and _", s.Name)
	case math.IsNaN(s.Min) || math.IsNaN(s.Max) || math.IsInf(s.Min, 0) || math.IsInf(s.Max, 0) || !(s.Min <= s.Default && s.Default <= s.Max):
		return fmt.Errorf("setting %s: default %g outside its range %g to %g", s.Name, s.Default, s.Min, s.Max)
	case s.Integer && s.Default != math.Trunc(s.Default):
		return fmt.Errorf("setting %s: default %g is not a whole number", s.Name, s.Default)
	case s.Unit == "" || s.Doc == "":
		return fmt.Errorf("setting %s needs a unit and a doc", s.Name)
	}
	return nil
}

var settingNameRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
