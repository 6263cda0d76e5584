//go:build tools

// The command the cluster tests build; importing it records its dependencies in go.mod and go.sum.
package tools

import _ "github.com/cloudnative-pg/cloudnative-pg/cmd/manager"
