package rules_test

import (
	"path/filepath"
	"testing"

	"github.com/plancheck/plancheck/rules"
	"github.com/plancheck/plancheck/rules/rulestest"
)

func TestValidateAll(t *testing.T) {
	for name, rs := range map[string][]*rules.Rule{"All": rules.All(), "InputRules": rules.InputRules()} {
		if err := rules.Validate(rs); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestDefaultRules runs every default rule on its hand-drawn cases in
// testdata/<rule>/; the want lines carry areas from an independent
// geodesic implementation (pyproj Geod, Karney's algorithm).
func TestDefaultRules(t *testing.T) {
	// Every rule of the default set needs its cases: a new rule without a
	// testdata folder fails here.
	for _, r := range rules.All() {
		t.Run(r.Name, func(t *testing.T) {
			rulestest.Run(t, r, filepath.Join("testdata", r.Name))
		})
	}
}
