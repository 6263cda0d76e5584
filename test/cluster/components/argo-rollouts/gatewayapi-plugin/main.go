// A Gateway API traffic-router plugin for Argo Rollouts, owned by the cluster tests.
//
// The project's plugin (github.com/argoproj-labs/rollouts-plugin-trafficrouter-gatewayapi) is not served by
// the Go module proxy this project builds from, so the tests load this one instead, through the same
// interface and the same `argo-rollouts-config` entry (`trafficRouterPlugins`, a file:// location, the name
// `argoproj-labs/gatewayAPI`). It does what that plugin documents for HTTPRoutes and nothing more: read the
// Rollout's `trafficRouting.plugins["argoproj-labs/gatewayAPI"]` config (`httpRoute` or `httpRoutes[].name`,
// and `namespace`), find every backendRef of the canary and the stable Service in the route's rules (an
// error when either is missing, as upstream), and write the canary weight and 100 minus it. Header and
// mirror routes are not supported (the library emits none).
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	goPlugin "github.com/hashicorp/go-plugin"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/argoproj/argo-rollouts/pkg/apis/rollouts/v1alpha1"
	rolloutsPlugin "github.com/argoproj/argo-rollouts/rollout/trafficrouting/plugin/rpc"
	"github.com/argoproj/argo-rollouts/utils/plugin/types"
)

const pluginName = "argoproj-labs/gatewayAPI"

var httpRoutes = schema.GroupVersionResource{Group: "gateway.networking.k8s.io", Version: "v1", Resource: "httproutes"}

type config struct {
	HTTPRoute  string `json:"httpRoute"`
	HTTPRoutes []struct {
		Name string `json:"name"`
	} `json:"httpRoutes"`
	Namespace string `json:"namespace"`
}

type router struct {
	client dynamic.Interface
}

func (r *router) InitPlugin() types.RpcError {
	// The controller passes its environment on; KUBECONFIG names the API server it talks to.
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(clientcmd.NewDefaultClientConfigLoadingRules(), nil).ClientConfig()
	if err != nil {
		return types.RpcError{ErrorString: err.Error()}
	}
	c, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return types.RpcError{ErrorString: err.Error()}
	}
	r.client = c
	return types.RpcError{}
}

func routesOf(ro *v1alpha1.Rollout) (string, []string, error) {
	raw, ok := ro.Spec.Strategy.Canary.TrafficRouting.Plugins[pluginName]
	if !ok {
		return "", nil, fmt.Errorf("no %s config in the Rollout", pluginName)
	}
	var c config
	if err := json.Unmarshal(raw, &c); err != nil {
		return "", nil, err
	}
	names := []string{}
	if c.HTTPRoute != "" {
		names = append(names, c.HTTPRoute)
	}
	for _, r := range c.HTTPRoutes {
		names = append(names, r.Name)
	}
	ns := c.Namespace
	if ns == "" {
		ns = ro.Namespace
	}
	return ns, names, nil
}

func (r *router) SetWeight(ro *v1alpha1.Rollout, desiredWeight int32, _ []v1alpha1.WeightDestination) types.RpcError {
	ns, names, err := routesOf(ro)
	if err != nil {
		return types.RpcError{ErrorString: err.Error()}
	}
	canary, stable := ro.Spec.Strategy.Canary.CanaryService, ro.Spec.Strategy.Canary.StableService
	for _, name := range names {
		if err := r.setRoute(ns, name, canary, stable, desiredWeight); err != nil {
			return types.RpcError{ErrorString: err.Error()}
		}
	}
	return types.RpcError{}
}

func (r *router) setRoute(ns, name, canary, stable string, weight int32) error {
	ctx := context.TODO()
	route, err := r.client.Resource(httpRoutes).Namespace(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return err
	}
	rules, _, _ := unstructured.NestedSlice(route.Object, "spec", "rules")
	found := map[string]bool{}
	for _, rule := range rules {
		refs, _ := rule.(map[string]interface{})["backendRefs"].([]interface{})
		for _, ref := range refs {
			m := ref.(map[string]interface{})
			switch m["name"] {
			case canary:
				m["weight"] = int64(weight)
				found[canary] = true
			case stable:
				m["weight"] = int64(100 - weight)
				found[stable] = true
			}
		}
	}
	if !found[canary] || !found[stable] {
		return fmt.Errorf("HTTPRoute %s/%s: backendRef was not found (canary %q: %v, stable %q: %v)", ns, name, canary, found[canary], stable, found[stable])
	}
	if err := unstructured.SetNestedSlice(route.Object, rules, "spec", "rules"); err != nil {
		return err
	}
	_, err = r.client.Resource(httpRoutes).Namespace(ns).Update(ctx, route, metav1.UpdateOptions{})
	return err
}

func (r *router) SetHeaderRoute(_ *v1alpha1.Rollout, _ *v1alpha1.SetHeaderRoute) types.RpcError {
	return types.RpcError{}
}

func (r *router) SetMirrorRoute(_ *v1alpha1.Rollout, _ *v1alpha1.SetMirrorRoute) types.RpcError {
	return types.RpcError{}
}

func (r *router) VerifyWeight(_ *v1alpha1.Rollout, _ int32, _ []v1alpha1.WeightDestination) (types.RpcVerified, types.RpcError) {
	return types.NotImplemented, types.RpcError{}
}

func (r *router) UpdateHash(_ *v1alpha1.Rollout, _, _ string, _ []v1alpha1.WeightDestination) types.RpcError {
	return types.RpcError{}
}

func (r *router) RemoveManagedRoutes(_ *v1alpha1.Rollout) types.RpcError {
	return types.RpcError{}
}

func (r *router) Type() string { return "GatewayAPI" }

func main() {
	if len(os.Args) > 1 && os.Args[1] == "--version" {
		fmt.Println("cdk8s-trading test plugin for", pluginName)
		return
	}
	goPlugin.Serve(&goPlugin.ServeConfig{
		HandshakeConfig: goPlugin.HandshakeConfig{
			ProtocolVersion:  1,
			MagicCookieKey:   "ARGO_ROLLOUTS_RPC_PLUGIN",
			MagicCookieValue: "trafficrouter",
		},
		Plugins: map[string]goPlugin.Plugin{
			"RpcTrafficRouterPlugin": &rolloutsPlugin.RpcTrafficRouterPlugin{Impl: &router{}},
		},
	})
}
