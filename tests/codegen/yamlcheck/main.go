// yamlcheck prints the JSON sigs.k8s.io/yaml (what kubectl uses) makes of the YAML on stdin:
// the reference tests/codegen/test_codegen_yaml_conformance.py compares kubeset's loader with.
package main

import (
	"fmt"
	"io"
	"os"

	"sigs.k8s.io/yaml"
)

func main() {
	in, err := io.ReadAll(os.Stdin)
	if err == nil {
		var out []byte
		out, err = yaml.YAMLToJSON(in)
		if err == nil {
			_, err = os.Stdout.Write(out)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
