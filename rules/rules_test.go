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
	for _, name := range []string{
		"layer-overlap",
		"construction-on-basic-farmland",
		"construction-outside-landuse-zone",
		"green-heart-prohibited",
		"green-heart-restricted",
		"regional-prohibited",
		"infrastructure-on-basic-farmland",
		"infrastructure-in-green-heart-prohibited",
		"timing-horizon",
		"timing-phase",
		"infrastructure-continuity",
		"infrastructure-standard-mismatch",
		"infrastructure-timing-mismatch",
	} {
		t.Run(name, func(t *testing.T) {
			r := rules.Lookup(rules.All(), name)
			if r == nil {
				t.Fatalf("no rule %s in the default set", name)
			}
			rulestest.Run(t, r, filepath.Join("testdata", name))
		})
	}
}
