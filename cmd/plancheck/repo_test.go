package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The top-level CI.yml is the template bureaus copy; GitHub runs only
// .github/workflows, so the two must not drift apart.
func TestWorkflowCopiesMatch(t *testing.T) {
	a, err := os.ReadFile(filepath.Join("..", "..", "CI.yml"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join("..", "..", ".github", "workflows", "ci.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatal("CI.yml and .github/workflows/ci.yml differ: copy CI.yml over the other")
	}
}

// The README's two set-up commands must stay true: the run command names
// a plan set that exists, and .ci/run calls the test command.
func TestReadmeCommands(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"go run ./cmd/plancheck check fixtures/czt", "go test ./..."} {
		if !strings.Contains(string(readme), cmd) {
			t.Errorf("README.md lacks %q", cmd)
		}
	}
	if _, err := os.Stat(filepath.Join("..", "..", "fixtures", "czt", "plancheck.yaml")); err != nil {
		t.Error(err)
	}
	ci, err := os.ReadFile(filepath.Join("..", "..", ".ci", "run"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(ci), "go test ./...") {
		t.Error(".ci/run does not run the README's test command")
	}
}
