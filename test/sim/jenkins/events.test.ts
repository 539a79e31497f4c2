import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { Subscriber } from 'zeromq';

import { parseBuildEvent, type BuildEvent } from '../../../lib/jenkins/index.ts';
import { startTestGearmand, type TestGearmand } from './support.ts';
import { resultOf, startWorld, zuulParameters, type World } from './world.ts';

let gearmand: TestGearmand;

before(async () => {
  gearmand = await startTestGearmand();
});

after(async () => {
  await gearmand.dispose();
});

/** Subscribes to everything, as Nodepool did, and collects the raw frames. */
async function subscribe(t: TestContext, world: World) {
  const subscriber = new Subscriber({ receiveTimeout: 5000, linger: 0 });
  subscriber.connect(world.jenkins.zmqUrl);
  subscriber.subscribe();
  t.after(() => subscriber.close());
  // A PUB socket sends only to subscribers it already knows; give the handshake time.
  await sleep(500);

  return {
    async next(): Promise<string> {
      const [frame] = await subscriber.receive();
      return frame?.toString('utf8') ?? '';
    },
    async frames(count: number): Promise<string[]> {
      const frames: string[] = [];
      while (frames.length < count) frames.push(await this.next());
      return frames;
    },
  };
}

async function runOneBuild(world: World, uuid: string, extra: Record<string, string> = {}) {
  const result = await world.zuul.submit(`build:${world.job}`, zuulParameters(uuid, extra), {
    unique: uuid,
  });
  return resultOf(result);
}

describe('Jenkins stand-in ZMQ events', () => {
  it('publishes onStarted, onCompleted and onFinalized that whiskpool can parse', async (t) => {
    const world = await startWorld(t, gearmand, 50);
    await world.addAgent('ci-jessie-20');
    const events = await subscribe(t, world);

    await runOneBuild(world, 'uuid-20', { OFFLINE_NODE_WHEN_COMPLETE: '1' });
    const frames = await events.frames(3);

    assert.deepEqual(
      frames.map((frame) => frame.slice(0, frame.indexOf(' '))),
      ['onStarted', 'onCompleted', 'onFinalized'],
    );

    const parsed = frames.map((frame) => parseBuildEvent(frame));
    const common = {
      job: world.job,
      number: 1,
      nodeName: 'ci-jessie-20',
      onMaster: false,
      url: `job/${world.job}/1/`,
      fullUrl: `${world.jenkins.url}job/${world.job}/1/`,
      hostName: 'gallium',
    };
    assert.deepEqual(parsed.map(withoutParameters), [
      { ...common, phase: 'started' },
      { ...common, phase: 'completed', status: 'SUCCESS' },
      { ...common, phase: 'finalized', status: 'SUCCESS' },
    ]);
    for (const event of parsed) {
      assert.equal(event.parameters.ZUUL_UUID, 'uuid-20');
      assert.equal(event.parameters.OFFLINE_NODE_WHEN_COMPLETE, '1');
    }
  });

  it('writes the JSON with the plugin field names and no status while running', async (t) => {
    const world = await startWorld(t, gearmand, 20);
    await world.addAgent('ci-jessie-21');
    const events = await subscribe(t, world);

    await runOneBuild(world, 'uuid-21');
    const [started] = await events.frames(3);
    const document = JSON.parse(started?.slice('onStarted '.length) ?? '') as {
      build: Record<string, unknown>;
    };

    assert.deepEqual(Object.keys(document), ['name', 'url', 'build']);
    assert.deepEqual(Object.keys(document.build), [
      'full_url',
      'number',
      'phase',
      'url',
      'node_name',
      'host_name',
      'parameters',
    ]);
  });

  it('drops, duplicates and reorders frames when told to', async (t) => {
    const world = await startWorld(t, gearmand, 20);
    await world.addAgent('ci-jessie-22');
    const events = await subscribe(t, world);
    const topics = (frames: string[]) => frames.map((frame) => frame.split(' ')[0]);

    world.jenkins.setFaults({ zmq: { dropNext: 1 } });
    await runOneBuild(world, 'uuid-22a');
    assert.deepEqual(topics(await events.frames(2)), ['onCompleted', 'onFinalized']);

    world.jenkins.setFaults({ zmq: { duplicateRate: 1 } });
    await runOneBuild(world, 'uuid-22b');
    assert.deepEqual(topics(await events.frames(6)), [
      'onStarted',
      'onStarted',
      'onCompleted',
      'onCompleted',
      'onFinalized',
      'onFinalized',
    ]);

    world.jenkins.setFaults({ zmq: { duplicateRate: 0, reorderRate: 1 } });
    await runOneBuild(world, 'uuid-22c');
    assert.deepEqual(topics(await events.frames(3)), ['onCompleted', 'onStarted', 'onFinalized']);
  });

  it('still sends the events of a build aborted by deleting its node', async (t) => {
    const world = await startWorld(t, gearmand, 10_000);
    await world.addAgent('ci-jessie-23');
    const events = await subscribe(t, world);

    const submitted = runOneBuild(world, 'uuid-23');
    const started = parseBuildEvent(await events.next());
    assert.equal(started.phase, 'started');
    await world.client.deleteNode('ci-jessie-23');

    assert.equal((await submitted).result, 'ABORTED');
    const [completed, finalized] = (await events.frames(2)).map((frame) => parseBuildEvent(frame));
    assert.equal(completed?.status, 'ABORTED');
    assert.equal(finalized?.status, 'ABORTED');
  });
});

function withoutParameters(event: BuildEvent): Omit<BuildEvent, 'parameters'> {
  const { parameters: _parameters, ...rest } = event;
  return rest;
}
