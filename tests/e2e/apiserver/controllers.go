package main

// A kube-apiserver alone is not a cluster: without kube-controller-manager a new namespace
// gets no "default" service account (so the ServiceAccount admission plugin rejects pods),
// a deleted namespace stays Terminating for ever and ownerReferences / foreground deletion
// are never acted on.  So the three controllers a client library's tests run into are run
// in-process here, the real ones from k8s.io/kubernetes/pkg/controller, wired as
// kube-controller-manager wires them.  No scheduler, no kubelet: pods stay Pending.

import (
	"context"
	"fmt"
	"sync"
	"time"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/client-go/discovery"
	cacheddiscovery "k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/metadata/metadatainformer"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"k8s.io/controller-manager/pkg/informerfactory"
	"k8s.io/klog/v2"
	"k8s.io/kubernetes/pkg/controller/garbagecollector"
	namespacecontroller "k8s.io/kubernetes/pkg/controller/namespace"
	serviceaccountcontroller "k8s.io/kubernetes/pkg/controller/serviceaccount"
)

// startControllers starts the controllers and returns a function that stops them and waits.
func startControllers(ctx context.Context, cfg *rest.Config) (func(), error) {
	cfg = rest.CopyConfig(cfg)
	cfg.QPS, cfg.Burst = 200, 400
	cfg.UserAgent = "kubeset-e2e-controllers"
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	metadataClient, err := metadata.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	discoveryClient, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, err
	}

	ctx, cancel := context.WithCancel(ctx)
	logger := klog.FromContext(ctx)
	trim := func(obj any) (any, error) {
		if accessor, err := meta.Accessor(obj); err == nil && accessor.GetManagedFields() != nil {
			accessor.SetManagedFields(nil)
		}
		return obj, nil
	}
	const resync = 12 * time.Hour
	shared := informers.NewSharedInformerFactoryWithOptions(client, resync, informers.WithTransform(trim))
	metaInformers := metadatainformer.NewSharedInformerFactoryWithOptions(metadataClient, resync, metadatainformer.WithTransform(trim))
	objectOrMeta := informerfactory.NewInformerFactory(shared, metaInformers)
	restMapper := restmapper.NewDeferredDiscoveryRESTMapper(cacheddiscovery.NewMemCacheClient(discoveryClient))
	informersStarted := make(chan struct{})

	sa, err := serviceaccountcontroller.NewServiceAccountsController(logger,
		shared.Core().V1().ServiceAccounts(), shared.Core().V1().Namespaces(), client,
		serviceaccountcontroller.DefaultServiceAccountsControllerOptions())
	if err != nil {
		cancel()
		return nil, fmt.Errorf("serviceaccount controller: %w", err)
	}
	ns := namespacecontroller.NewNamespaceController(ctx, client, metadataClient,
		client.Discovery().ServerPreferredNamespacedResources, shared.Core().V1().Namespaces(),
		5*time.Minute, v1.FinalizerKubernetes)
	gc, err := garbagecollector.NewGarbageCollector(ctx, client, metadataClient, restMapper,
		garbagecollector.DefaultIgnoredResources(), objectOrMeta, informersStarted)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("garbage collector: %w", err)
	}

	var wg sync.WaitGroup
	run := func(f func()) {
		wg.Add(1)
		go func() { defer wg.Done(); f() }()
	}
	run(func() { sa.Run(ctx, 1) })
	run(func() { ns.Run(ctx, 2) })
	run(func() { gc.Run(ctx, 4, 30*time.Second) })
	run(func() { gc.Sync(ctx, discoveryClient, 15*time.Second) })
	run(func() {
		// Pick up new API resources (CRDs) for the garbage collector's mapper.
		t := time.NewTicker(15 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				restMapper.Reset()
			}
		}
	})
	shared.Start(ctx.Done())
	objectOrMeta.Start(ctx.Done())
	close(informersStarted)

	return func() {
		cancel()
		wg.Wait()
		shared.Shutdown()
		metaInformers.Shutdown()
	}, nil
}
