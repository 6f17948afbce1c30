package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
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

// The workflow's gate is shell that a bureau runs as it is: run it here,
// from the repository root, against this repository's own history.
func TestWorkflowGate(t *testing.T) {
	if testing.Short() {
		t.Skip("builds plancheck")
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if err := exec.Command("git", "-C", root, "cat-file", "-e", "HEAD:fixtures/czt/plancheck.yaml").Run(); err != nil {
		t.Skip("not a git checkout with fixtures/czt committed")
	}
	if out, err := exec.Command("git", "-C", root, "status", "--porcelain", "--", "fixtures/czt").Output(); err != nil || len(out) > 0 {
		t.Skip("fixtures/czt differs from HEAD")
	}
	script := workflowStep(t, "Check against the target branch's baseline")
	tmp := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(tmp, "plancheck"), "./cmd/plancheck")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	gate := func(baseSHA string) (int, string, string) {
		summary := filepath.Join(t.TempDir(), "summary.md")
		cmd := exec.Command("bash", "-e", "-c", script)
		// The job runs at the repository root (it writes plancheck-report
		// there, removed after the test).
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "RUNNER_TEMP="+tmp, "PLANSET=fixtures/czt", "FAIL_ON=error", "BASE_SHA="+baseSHA,
			"DEFAULT_BRANCH=no-such-branch", "GITHUB_STEP_SUMMARY="+summary)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		md, _ := os.ReadFile(summary)
		return code, out.String(), string(md)
	}
	defer os.RemoveAll(filepath.Join(root, "plancheck-report"))
	code, out, md := gate("HEAD")
	if code != 0 {
		t.Errorf("gate against HEAD: exit %d, want 0 (nothing introduced)\n%s", code, firstLines([]byte(out), 20))
	}
	if !strings.Contains(md, "## Compared with the baseline") {
		t.Errorf("job summary lacks the comparison:\n%s", firstLines([]byte(md), 20))
	}
	code, out, _ = gate("")
	if code != 1 || !strings.Contains(out, "no baseline for fixtures/czt") {
		t.Errorf("gate without a baseline: exit %d, want 1 (the planted errors count)\n%s", code, firstLines([]byte(out), 20))
	}
}

// workflowStep is the run script of the CI.yml step with that name.
func workflowStep(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "CI.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		Jobs map[string]struct {
			Steps []struct {
				Name string `yaml:"name"`
				Run  string `yaml:"run"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(data, &wf); err != nil {
		t.Fatal(err)
	}
	for _, job := range wf.Jobs {
		for _, s := range job.Steps {
			if s.Name == name {
				return s.Run
			}
		}
	}
	t.Fatalf("CI.yml has no step %q", name)
	return ""
}

// readmeBlock is the fenced code block of README.md whose first line
// starts with marker.
func readmeBlock(t *testing.T, marker string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := strings.Split(string(data), "```")
	for i := 1; i < len(blocks); i += 2 {
		body := blocks[i][strings.IndexByte(blocks[i], '\n')+1:]
		// The marker opens the block, or its second line (after #!).
		lines := strings.SplitN(body, "\n", 3)
		if strings.HasPrefix(body, marker) || (len(lines) > 1 && strings.HasPrefix(lines[1], marker)) {
			return body
		}
	}
	t.Fatalf("README.md has no code block starting %q", marker)
	return ""
}

// The README's sharded set-ups run as written: the Slurm script and the
// xargs line with plancheck on PATH, the Kubernetes and GitHub Actions
// manifests at least parse, and the parts merge.
func TestReadmeShardExamples(t *testing.T) {
	if testing.Short() {
		t.Skip("builds plancheck")
	}
	root, _ := filepath.Abs(filepath.Join("..", ".."))
	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "plancheck"), "./cmd/plancheck")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, marker := range []string{"# Kubernetes:", "# GitHub Actions:"} {
		var v map[string]any
		if err := yaml.Unmarshal([]byte(readmeBlock(t, marker)), &v); err != nil || len(v) == 0 {
			t.Errorf("%s example: %v", marker, err)
		}
	}
	run := func(dir, script string, env ...string) {
		t.Helper()
		cmd := exec.Command("bash", "-e", "-c", script)
		cmd.Dir = dir
		cmd.Env = append(append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH")), env...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v\n%s\n%s", err, script, out)
		}
	}
	for _, tc := range []struct {
		name string
		run  func(dir string)
	}{
		{"slurm", func(dir string) {
			for k := 0; k < 8; k++ {
				run(dir, readmeBlock(t, "#!/bin/bash"), "SLURM_ARRAY_TASK_ID="+strconv.Itoa(k), "JOB_COMPLETION_INDEX=")
			}
		}},
		{"xargs", func(dir string) { run(dir, readmeBlock(t, "# One big machine")) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			run(dir, "plancheck tile "+filepath.Join(root, "fixtures/czt")+" --tiles 8 --out tiled >/dev/null && mkdir -p parts")
			tc.run(dir)
			cmd := exec.Command(filepath.Join(bin, "plancheck"), "merge", "--quiet", "--format", "json")
			for k := 0; k < 8; k++ {
				cmd.Args = append(cmd.Args, filepath.Join(dir, "parts", "part-"+strconv.Itoa(k)))
			}
			out, err := cmd.Output()
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitFindings || !strings.Contains(string(out), `"command": "check"`) {
				t.Errorf("merge: %v\n%s", err, firstLines(out, 10))
			}
		})
	}
}
