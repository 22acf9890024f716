// Command hello is the smallest main package the build tests compile.
package main

import (
	"fmt"
	"os"
)

var version = "dev"

func main() {
	data, _ := os.ReadFile(os.Getenv("KO_DATA_PATH") + "/greeting.txt")
	fmt.Printf("hello %s %s", version, data)
}
