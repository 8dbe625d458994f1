// Command validate loads a Compose file with compose-go, the parser Docker Compose itself uses (schema,
// interpolation, merge keys, consistency), then applies this project's own deployment rules.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/distribution/reference"
)

type envFlag []string

func (e *envFlag) String() string { return strings.Join(*e, ",") }

func (e *envFlag) Set(value string) error {
	if !strings.Contains(value, "=") {
		return fmt.Errorf("%q is not NAME=VALUE", value)
	}
	*e = append(*e, value)
	return nil
}

func main() {
	projectDir := flag.String("project-dir", ".", "directory relative paths in the file resolve against")
	var env envFlag
	flag.Var(&env, "env", "NAME=VALUE used for interpolation (repeatable); the process environment is not used")
	printModel := flag.Bool("print", false, "print the resolved model, as `docker compose config` would")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: validate [-project-dir DIR] [-env NAME=VALUE]... COMPOSE_FILE...")
		os.Exit(2)
	}

	options, err := cli.NewProjectOptions(flag.Args(), cli.WithWorkingDirectory(*projectDir), cli.WithEnv(env))
	if err != nil {
		fail([]string{err.Error()})
	}
	project, err := options.LoadProject(context.Background())
	if err != nil {
		fail([]string{err.Error()})
	}
	if problems := check(project); len(problems) > 0 {
		fail(problems)
	}
	if *printModel {
		out, err := project.MarshalYAML()
		if err != nil {
			fail([]string{err.Error()})
		}
		os.Stdout.Write(out)
	}
	fmt.Printf("compose file valid: %d services (%s)\n", len(project.Services), strings.Join(project.ServiceNames(), ", "))
}

func fail(problems []string) {
	for _, p := range problems {
		fmt.Fprintln(os.Stderr, "compose file invalid:", p)
	}
	os.Exit(1)
}

// check applies the rules the specification leaves open but a reproducible, self-starting deployment needs.
func check(project *types.Project) []string {
	var problems []string
	oneShot := map[string]bool{}
	needsHealth := map[string][]string{}
	for _, name := range project.ServiceNames() {
		for dep, cond := range project.Services[name].DependsOn {
			switch cond.Condition {
			case types.ServiceConditionCompletedSuccessfully:
				oneShot[dep] = true
			case types.ServiceConditionHealthy:
				needsHealth[dep] = append(needsHealth[dep], name)
			}
		}
	}
	if err := project.CheckContainerNameUnicity(); err != nil {
		problems = append(problems, err.Error())
	}
	for _, name := range project.ServiceNames() {
		service := project.Services[name]
		if service.Image == "" && service.Build == nil {
			problems = append(problems, fmt.Sprintf("service %q has neither image nor build", name))
		}
		if service.Image != "" {
			if problem := imageProblem(service.Image); problem != "" {
				problems = append(problems, fmt.Sprintf("service %q: %s", name, problem))
			}
		}
		healthy := hasHealthcheck(service)
		if waiting := needsHealth[name]; len(waiting) > 0 && !healthy {
			slices.Sort(waiting)
			problems = append(problems, fmt.Sprintf("service %q has no healthcheck, but %s wait for it to be healthy",
				name, strings.Join(waiting, ", ")))
		}
		if oneShot[name] {
			if service.Restart != "" && service.Restart != types.RestartPolicyNo {
				problems = append(problems, fmt.Sprintf(
					"service %q is awaited to complete, so it must not restart (restart: %q)", name, service.Restart))
			}
			continue
		}
		if service.Build != nil && !healthy {
			problems = append(problems, fmt.Sprintf("service %q is built here but declares no healthcheck", name))
		}
	}
	return problems
}

func hasHealthcheck(service types.ServiceConfig) bool {
	h := service.HealthCheck
	return h != nil && !h.Disable && len(h.Test) > 0 && h.Test[0] != "NONE"
}

// imageProblem reports an image reference that would not pin what runs: no tag, or the moving `latest`.
func imageProblem(image string) string {
	named, err := reference.ParseNormalizedNamed(image)
	if err != nil {
		return fmt.Sprintf("image %q: %v", image, err)
	}
	if _, digested := named.(reference.Digested); digested {
		return ""
	}
	tagged, ok := named.(reference.Tagged)
	if !ok {
		return fmt.Sprintf("image %q has no tag; pin a version", image)
	}
	if tagged.Tag() == "latest" {
		return fmt.Sprintf("image %q uses the moving tag latest; pin a version", image)
	}
	return ""
}
