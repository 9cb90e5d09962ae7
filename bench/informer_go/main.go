// Command informer_go: client-go's own shared informer over the pods of a cluster, for
// bench/bench_informer.py.  It prints one JSON line when the cache has synced (sync time,
// Go heap held by the cache, object count) and, with -expect-updates N, a second line once N
// update events (resourceVersion changed) have reached the handler.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/util/flowcontrol"
)

func main() {
	kubeconfig := flag.String("kubeconfig", "", "kubeconfig file")
	server := flag.String("server", "", "API server URL (overrides the kubeconfig's)")
	dropManagedFields := flag.Bool("drop-managed-fields", false, "transform: drop metadata.managedFields")
	expectUpdates := flag.Int("expect-updates", 0, "wait for this many update events after sync")
	flag.Parse()

	cfg, err := clientcmd.BuildConfigFromFlags(*server, *kubeconfig)
	if err != nil {
		fail(err)
	}
	cfg.RateLimiter = flowcontrol.NewFakeAlwaysRateLimiter()
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		fail(err)
	}

	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)

	var opts []informers.SharedInformerOption
	if *dropManagedFields {
		opts = append(opts, informers.WithTransform(func(obj interface{}) (interface{}, error) {
			if m, err := meta.Accessor(obj); err == nil {
				m.SetManagedFields(nil)
			}
			return obj, nil
		}))
	}
	factory := informers.NewSharedInformerFactoryWithOptions(cs, 0, opts...)
	informer := factory.Core().V1().Pods().Informer()

	var mu sync.Mutex
	var updates int
	var first, last time.Time
	done := make(chan struct{})
	_, err = informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		UpdateFunc: func(oldObj, newObj interface{}) {
			o, _ := meta.Accessor(oldObj)
			n, _ := meta.Accessor(newObj)
			if o == nil || n == nil || o.GetResourceVersion() == n.GetResourceVersion() {
				return
			}
			mu.Lock()
			defer mu.Unlock()
			now := time.Now()
			if updates == 0 {
				first = now
			}
			last = now
			updates++
			if *expectUpdates > 0 && updates == *expectUpdates {
				close(done)
			}
		},
	})
	if err != nil {
		fail(err)
	}

	stop := make(chan struct{})
	start := time.Now()
	factory.Start(stop)
	for !informer.HasSynced() {
		time.Sleep(time.Millisecond)
	}
	synced := time.Since(start)
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	emit(map[string]interface{}{
		"sync_s":     synced.Seconds(),
		"heap_bytes": int64(after.HeapAlloc) - int64(before.HeapAlloc),
		"objects":    len(informer.GetStore().List()),
	})
	if *expectUpdates > 0 {
		select {
		case <-done:
		case <-time.After(10 * time.Minute):
			fail(fmt.Errorf("only %d of %d updates arrived", updates, *expectUpdates))
		}
		mu.Lock()
		emit(map[string]interface{}{"updates": updates, "first_to_last_s": last.Sub(first).Seconds()})
		mu.Unlock()
	}
	close(stop)
	factory.Shutdown()
}

func emit(v map[string]interface{}) {
	b, _ := json.Marshal(v)
	fmt.Println(string(b))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "informer_go:", err)
	os.Exit(1)
}
