//go:build tools

// Package tools pins the Pulumi CLI's command package in this module, so `go mod tidy` keeps
// its requirements; scripts/pulumi-cli.mjs builds that package with the version linked in.
package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
