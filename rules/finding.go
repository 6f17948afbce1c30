package rules

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/paulmach/orb"
)

// Severity orders findings; CI gates on it with --fail-on.
type Severity int

const (
	Info Severity = iota
	Warning
	Error
)

func (s Severity) String() string {
	switch s {
	case Info:
		return "info"
	case Warning:
		return "warning"
	case Error:
		return "error"
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// ParseSeverity reads "info", "warning" or "error".
func ParseSeverity(s string) (Severity, error) {
	switch s {
	case "info", "note":
		return Info, nil
	case "warning":
		return Warning, nil
	case "error":
		return Error, nil
	}
	return 0, fmt.Errorf("rules: unknown severity %q (want info, warning or error)", s)
}

// Location points a reviewer at the source of a finding: the layer file and
// the line where the feature starts (0 when the file has no line breaks).
type Location struct {
	File string
	Line int
}

// Finding is one conflict (冲突图斑) or one problem with the input.
type Finding struct {
	Rule     string
	Severity Severity
	Layers   []string // layer names, one per feature (or per layer for layer-level findings)
	Features []string // feature ids, parallel to Layers; empty for layer-level findings
	Classes  []string // class codes, parallel to Features
	AreaM2   float64  // geodesic area of the conflict patch
	LengthM  float64  // geodesic length, for line findings
	// Geometry is the conflict patch in lon/lat, the feature itself for
	// single-feature findings, nil for layer-level findings.
	Geometry  orb.Geometry
	Message   string // English
	MessageZH string // Chinese
	Location  Location
	// At is "at or near" for geometry problems; nil when not applicable.
	At *orb.Point
	// District (所在区县) is the boundary feature holding most of the
	// finding, when the plan set has a boundary layer.
	District string
}

// Fingerprint is a stable hash of rule, layers and feature ids, so a finding
// keeps its identity across runs and reviewers can track it in a ledger.
func (f Finding) Fingerprint() string {
	h := sha256.New()
	h.Write([]byte(f.Rule))
	for _, l := range f.Layers {
		h.Write([]byte{0})
		h.Write([]byte(l))
	}
	h.Write([]byte{1})
	for _, id := range f.Features {
		h.Write([]byte{0})
		h.Write([]byte(id))
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// Subject names the features (or layers) of a finding, e.g.
// "changsha-master#R-12 × landuse#F-3".
func (f Finding) Subject() string {
	if len(f.Features) == 0 {
		return strings.Join(f.Layers, " × ")
	}
	parts := make([]string, len(f.Features))
	for i, id := range f.Features {
		layer := ""
		if i < len(f.Layers) {
			layer = f.Layers[i]
		}
		parts[i] = layer + "#" + id
	}
	return strings.Join(parts, " × ")
}
