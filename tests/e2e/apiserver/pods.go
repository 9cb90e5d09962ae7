package main

// The kubelet stand-in's pod lifecycle: pods bound to the node (spec.nodeName) get their
// containers started as local processes (runtime.go) and a status as a kubelet posts it:
// phase Running, podIP/hostIP 127.0.0.1, the standard conditions, containerStatuses with
// running/terminated states, ready/started and restart counts.  A container whose process
// exits is restarted after a second per the pod's restartPolicy; when no container runs or
// will run again the phase becomes Succeeded (all exited 0) or Failed.  A pod being deleted
// gets SIGTERM, SIGKILL after its grace period, and is then removed (grace period 0, UID
// precondition) as the kubelet confirms a graceful deletion.  Init containers and probes
// are not run (a container is ready while its process runs).

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"time"

	v1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
)

const (
	podWorkers     = 4
	restartBackoff = time.Second
	defaultGrace   = 30 * time.Second
)

type podWorker struct {
	client  kubernetes.Interface
	runtime *processRuntime
	node    string
	queue   workqueue.TypedRateLimitingInterface[string]
	lister  corelisters.PodLister
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	factory informers.SharedInformerFactory

	mu          sync.Mutex
	terminating map[types.UID]bool
	posted      map[types.UID]v1.PodStatus // the last status posted, to post only changes
	startTimes  map[types.UID]metav1.Time
}

func newPodWorker(client kubernetes.Interface, rt *processRuntime, node string) *podWorker {
	return &podWorker{client: client, runtime: rt, node: node,
		queue:       workqueue.NewTypedRateLimitingQueue(workqueue.DefaultTypedControllerRateLimiter[string]()),
		terminating: map[types.UID]bool{}, posted: map[types.UID]v1.PodStatus{}, startTimes: map[types.UID]metav1.Time{}}
}

// start watches the node's pods and starts the workers once the cache has synced.
func (w *podWorker) start(ctx context.Context) error {
	ctx, w.cancel = context.WithCancel(ctx)
	w.factory = informers.NewSharedInformerFactoryWithOptions(w.client, 0,
		informers.WithTweakListOptions(func(o *metav1.ListOptions) {
			o.FieldSelector = fields.OneTermEqualSelector("spec.nodeName", w.node).String()
		}))
	informer := w.factory.Core().V1().Pods()
	w.lister = informer.Lister()
	enqueue := func(obj any) {
		if key, err := cache.MetaNamespaceKeyFunc(obj); err == nil {
			w.queue.Add(key)
		}
	}
	if _, err := informer.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    enqueue,
		UpdateFunc: func(_, obj any) { enqueue(obj) },
		DeleteFunc: func(obj any) {
			if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
				obj = tomb.Obj
			}
			if pod, ok := obj.(*v1.Pod); ok {
				go w.forget(pod.UID)
			}
		},
	}); err != nil {
		return err
	}
	w.factory.Start(ctx.Done())
	syncCtx, done := context.WithTimeout(ctx, time.Minute)
	defer done()
	if !cache.WaitForCacheSync(syncCtx.Done(), informer.Informer().HasSynced) {
		return fmt.Errorf("the pod informer of node %s did not sync", w.node)
	}
	for range podWorkers {
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			for w.next(ctx) {
			}
		}()
	}
	return nil
}

func (w *podWorker) stop() {
	if w.cancel != nil {
		w.cancel()
	}
	w.queue.ShutDown()
	w.wg.Wait()
	if w.factory != nil {
		w.factory.Shutdown()
	}
}

// pod returns a pod bound to the node from the cache.
func (w *podWorker) pod(namespace, name string) (*v1.Pod, bool) {
	if w.lister == nil {
		return nil, false
	}
	pod, err := w.lister.Pods(namespace).Get(name)
	return pod, err == nil
}

func (w *podWorker) next(ctx context.Context) bool {
	key, quit := w.queue.Get()
	if quit {
		return false
	}
	defer w.queue.Done(key)
	if err := w.sync(ctx, key); err != nil {
		if ctx.Err() == nil {
			logf("kubelet: syncing pod %s: %v", key, err)
		}
		w.queue.AddRateLimited(key)
		return true
	}
	w.queue.Forget(key)
	return true
}

func (w *podWorker) forget(uid types.UID) {
	w.runtime.killSandbox(uid, 2*time.Second)
	w.mu.Lock()
	delete(w.terminating, uid)
	delete(w.posted, uid)
	delete(w.startTimes, uid)
	w.mu.Unlock()
}

func (w *podWorker) sync(ctx context.Context, key string) error {
	ns, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return nil
	}
	cached, err := w.lister.Pods(ns).Get(name)
	if apierrors.IsNotFound(err) {
		return nil // the delete handler stops its containers
	}
	if err != nil {
		return err
	}
	pod := cached.DeepCopy()
	if pod.DeletionTimestamp != nil {
		w.mu.Lock()
		already := w.terminating[pod.UID]
		w.terminating[pod.UID] = true
		w.mu.Unlock()
		if !already {
			go w.terminate(ctx, pod)
		}
		return nil
	}
	if pod.Status.Phase == v1.PodSucceeded || pod.Status.Phase == v1.PodFailed {
		if _, ok := w.runtime.sandbox(pod.UID); !ok {
			return nil // finished before we knew it (not ours to run again)
		}
	}
	for i := range pod.Spec.Containers {
		spec := &pod.Spec.Containers[i]
		c, ok := w.runtime.current(pod.UID, spec.Name)
		var restartCount int32
		if ok {
			if c.running() || !shouldRestart(pod.Spec.RestartPolicy, c) {
				continue
			}
			if wait := restartBackoff - time.Since(c.finished); wait > 0 {
				w.queue.AddAfter(key, wait)
				continue
			}
			restartCount = c.restartCount + 1
		}
		if _, err := w.runtime.startContainer(pod, spec, restartCount, func() { w.queue.Add(key) }); err != nil {
			return fmt.Errorf("starting container %s: %w", spec.Name, err)
		}
	}
	status := w.status(pod)
	w.mu.Lock()
	last, posted := w.posted[pod.UID]
	w.mu.Unlock()
	if posted && reflect.DeepEqual(last, status) {
		return nil
	}
	pod.Status = status
	if _, err := w.client.CoreV1().Pods(ns).UpdateStatus(ctx, pod, metav1.UpdateOptions{}); err != nil {
		return err
	}
	w.mu.Lock()
	w.posted[pod.UID] = status
	w.mu.Unlock()
	return nil
}

func shouldRestart(policy v1.RestartPolicy, c *container) bool {
	switch policy {
	case v1.RestartPolicyNever:
		return false
	case v1.RestartPolicyOnFailure:
		return c.exitCode != 0
	default:
		return true
	}
}

// terminate stops the pod's containers within its grace period and confirms the deletion.
func (w *podWorker) terminate(ctx context.Context, pod *v1.Pod) {
	grace := defaultGrace
	if pod.DeletionGracePeriodSeconds != nil {
		grace = time.Duration(*pod.DeletionGracePeriodSeconds) * time.Second
	}
	w.runtime.killSandbox(pod.UID, grace)
	zero := int64(0)
	for attempt := 0; attempt < 10 && ctx.Err() == nil; attempt++ {
		reqCtx, done := context.WithTimeout(ctx, 30*time.Second)
		err := w.client.CoreV1().Pods(pod.Namespace).Delete(reqCtx, pod.Name, metav1.DeleteOptions{
			GracePeriodSeconds: &zero, Preconditions: metav1.NewUIDPreconditions(string(pod.UID))})
		done()
		if err == nil || apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
			return
		}
		logf("kubelet: deleting pod %s/%s: %v", pod.Namespace, pod.Name, err)
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

func stableTime(t time.Time) metav1.Time { return metav1.NewTime(t).Rfc3339Copy() }

// status is the pod status a kubelet would post for the pod's containers now.
func (w *podWorker) status(pod *v1.Pod) v1.PodStatus {
	w.mu.Lock()
	start, ok := w.startTimes[pod.UID]
	if !ok {
		start = stableTime(time.Now())
		if pod.Status.StartTime != nil {
			start = *pod.Status.StartTime
		}
		w.startTimes[pod.UID] = start
	}
	w.mu.Unlock()
	allReady, anyActive, allSucceeded := true, false, true
	statuses := make([]v1.ContainerStatus, 0, len(pod.Spec.Containers))
	for _, spec := range pod.Spec.Containers {
		c, ok := w.runtime.current(pod.UID, spec.Name)
		cs := v1.ContainerStatus{Name: spec.Name, Image: spec.Image, ImageID: "kubeset-standin://" + spec.Image}
		if !ok {
			cs.State.Waiting = &v1.ContainerStateWaiting{Reason: "ContainerCreating"}
			allReady, anyActive, allSucceeded = false, true, false
			statuses = append(statuses, cs)
			continue
		}
		running := c.running()
		cs.ContainerID = "kubeset://" + c.id
		cs.RestartCount = c.restartCount
		cs.Ready, cs.Started = running, &running
		if running {
			cs.State.Running = &v1.ContainerStateRunning{StartedAt: stableTime(c.started)}
			anyActive = true
		} else {
			cs.State.Terminated = c.terminated()
			allReady = false
			allSucceeded = allSucceeded && c.exitCode == 0
			anyActive = anyActive || shouldRestart(pod.Spec.RestartPolicy, c)
		}
		if prev, ok := w.runtime.previousInstance(pod.UID, spec.Name); ok {
			cs.LastTerminationState.Terminated = prev.terminated()
		}
		statuses = append(statuses, cs)
	}
	phase := v1.PodRunning
	if !anyActive {
		phase = v1.PodFailed
		if allSucceeded {
			phase = v1.PodSucceeded
		}
	}
	cond := func(t v1.PodConditionType, ok bool, reason string) v1.PodCondition {
		s := v1.ConditionFalse
		if ok {
			s, reason = v1.ConditionTrue, ""
		}
		c := v1.PodCondition{Type: t, Status: s, Reason: reason, LastTransitionTime: start}
		for _, old := range pod.Status.Conditions {
			if old.Type == t && old.Status == s {
				c.LastTransitionTime = old.LastTransitionTime
			}
		}
		return c
	}
	notReady := "ContainersNotReady"
	if phase != v1.PodRunning {
		notReady = "PodCompleted"
	}
	return v1.PodStatus{
		Phase: phase,
		Conditions: []v1.PodCondition{
			cond(v1.PodReadyToStartContainers, phase == v1.PodRunning, ""),
			cond(v1.PodInitialized, true, ""),
			cond(v1.PodReady, allReady, notReady),
			cond(v1.ContainersReady, allReady, notReady),
			cond(v1.PodScheduled, true, ""),
		},
		HostIP:            "127.0.0.1",
		HostIPs:           []v1.HostIP{{IP: "127.0.0.1"}},
		PodIP:             "127.0.0.1",
		PodIPs:            []v1.PodIP{{IP: "127.0.0.1"}},
		StartTime:         &start,
		QOSClass:          pod.Status.QOSClass,
		ContainerStatuses: statuses,
	}
}

func (c *container) terminated() *v1.ContainerStateTerminated {
	c.mu.Lock()
	defer c.mu.Unlock()
	return &v1.ContainerStateTerminated{ExitCode: c.exitCode, Reason: c.reason, Message: c.message,
		StartedAt: stableTime(c.started), FinishedAt: stableTime(c.finished), ContainerID: "kubeset://" + c.id}
}
