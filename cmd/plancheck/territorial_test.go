package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// fixtures/czt-territorial (go run ./fixtures/territorial): every 三区三线
// and coverage rule fires on its planted case and not on the negative
// controls, and the GCJ-02 detection names the traced layer and nothing
// else.
func TestTerritorialFixture(t *testing.T) {
	stdout, stderr, code := runCLI(t, "check", filepath.Join(repoRoot, "fixtures/czt-territorial"), "--format", "json", "--quiet", "--date", "2026-03-01", "--path-base", repoRoot)
	if code != exitFindings {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	golden(t, "territorial.check.json", []byte(stdout))
	var rep struct {
		Findings []struct {
			Rule     string   `json:"rule"`
			Layers   []string `json:"layers"`
			Features []string `json:"features"`
			Message  string   `json:"message"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	has := map[string]bool{}
	for _, f := range rep.Findings {
		subject := f.Rule + " " + strings.Join(f.Layers, ",") + " " + strings.Join(f.Features, ",")
		has[subject] = true
		switch {
		case f.Rule == "crs-suspect" && strings.Join(f.Layers, ",") != "changsha-master-gcj":
			t.Errorf("crs-suspect names %v: %s", f.Layers, f.Message)
		case f.Rule == "construction-in-ecological-redline" && strings.Contains(subject, "CS-0111"):
			t.Errorf("G1 green space in the red line reported: %s", subject)
		}
	}
	for _, want := range []string{
		"urban-land-outside-development-boundary changsha-master CS-NEAR-BF-2",
		"urban-land-outside-development-boundary land-use LU-0516",
		"construction-in-ecological-redline changsha-master,control-lines CS-0110,ST-CS",
		"construction-in-ecological-redline land-use,control-lines LU-0385,ST-CS",
		"infrastructure-in-ecological-redline infrastructure,control-lines INF-PLANT-GHL-1,ST-GHL1",
		"construction-on-permanent-farmland changsha-master,control-lines CS-0089,YJ-CS",
		"infrastructure-on-permanent-farmland infrastructure,control-lines RD-04,YJ-RD04",
		"control-lines-overlap control-lines,control-lines CZ-CS,YJ-RD04",
		"control-lines-overlap control-lines,control-lines CZ-CS,ST-CS",
		"coverage-gap land-use,districts ",
		"crs-suspect changsha-master-gcj ",
	} {
		if !has[want] {
			t.Errorf("no finding %q", want)
		}
	}
}
