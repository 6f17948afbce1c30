package tiling

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strconv"

	"github.com/plancheck/plancheck/planning"
)

// Load reads a tile's plan set and gives its features their index, line
// and default id ("#index") in the original layers, from the .origin
// files, so findings name them as a whole run does.
func Load(ctx context.Context, manifest string, opts planning.ManifestOptions, defaultAsof int) (*planning.PlanSet, Info, error) {
	info, ok, err := ReadInfo(manifest)
	if err != nil {
		return nil, Info{}, err
	}
	if !ok {
		return nil, Info{}, fmt.Errorf("tiling: %s is not a tile (no tile: section; write tiles with plancheck tile)", manifest)
	}
	set, err := planning.LoadPlanSet(ctx, manifest, opts, defaultAsof)
	if err != nil {
		return nil, Info{}, err
	}
	for _, l := range set.Layers {
		origin, err := readOrigin(l.Path + OriginSuffix)
		if err != nil {
			return nil, Info{}, err
		}
		if len(origin) != len(l.Features) {
			return nil, Info{}, fmt.Errorf("tiling: %s: %d features but %d origin lines: the tile was changed after plancheck tile wrote it", l.File, len(l.Features), len(origin))
		}
		for i := range l.Features {
			f := &l.Features[i]
			if f.ID == "#"+strconv.Itoa(i) {
				f.ID = "#" + strconv.Itoa(origin[i][0])
			}
			f.Index, f.Line = origin[i][0], origin[i][1]
		}
	}
	return set, info, nil
}

func readOrigin(path string) ([][2]int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("tiling: %w", err)
	}
	defer f.Close()
	var out [][2]int
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		var idx, line int
		if _, err := fmt.Sscanf(sc.Text(), "%d %d", &idx, &line); err != nil {
			return nil, fmt.Errorf("tiling: %s:%d: %v", path, n, err)
		}
		out = append(out, [2]int{idx, line})
	}
	return out, sc.Err()
}
