package geo_test

import (
	"fmt"

	"github.com/paulmach/orb"
	"github.com/plancheck/plancheck/geo"
)

// A problem's text is built once from the same arguments in both
// languages; a Text argument is written in the language being formatted,
// and Near adds the place the way each language says it.
func ExampleTextf() {
	ring := geo.Textf("interior ring %d", "第 %d 个内环", 1)
	t := geo.Textf("%s crosses itself", "%s自相交", ring).Near(orb.Point{112.93, 28.19})
	fmt.Println(t.Message)
	fmt.Println(t.MessageZH)
	// Output:
	// interior ring 1 crosses itself at or near 112.93 28.19
	// 第 1 个内环自相交，位于 112.93 28.19 附近
}
