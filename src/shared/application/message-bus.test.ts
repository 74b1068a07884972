import type { Transaction } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { MemberRegistered } from '../../contexts/accounts/domain/events.ts';
import type { DomainEvent } from '../domain/domain-event.ts';
import type { Id } from '../domain/id.ts';
import type { AnyEventSubscription, EventSubscription } from '../infrastructure/bounded-context.ts';
import type { Subscription } from './event-registry.ts';
import { MessageBus, UnknownSubscriberError } from './message-bus.ts';

const registered: MemberRegistered = {
  id: 1n as Id,
  name: 'accounts.member_registered',
  aggregate_type: 'member',
  aggregate_id: 2n as Id,
  occurred_at: new Date('2026-06-01T00:00:00Z'),
  payload: { email: 'ada@example.com', name: 'Ada', is_superuser: false },
};

describe('the message bus, for commands', () => {
  it('refuses a second handler for one command, naming it', () => {
    const bus = new MessageBus();
    const handler = async () => undefined;
    bus.register({ 'accounts.delete_member': handler });
    expect(() => bus.register({ 'accounts.delete_member': handler })).toThrow(
      'Command "accounts.delete_member" has two handlers; it must have exactly one',
    );
  });

  it('refuses to start without a handler for a declared command, naming it', () => {
    expect(() => new MessageBus().assertHandles(['accounts.register_member'])).toThrow(
      'No handler registered for command(s): accounts.register_member',
    );
  });
});

describe('the message bus, for events', () => {
  it('fans an event out to each of its subscribers, and to none when nobody subscribes', async () => {
    const bus = new MessageBus();
    const seen: string[] = [];
    bus.subscribe<string>([
      {
        event: 'accounts.member_registered',
        subscriber: 'accounts.send_welcome_mail',
        handle: async (event, tx) => {
          seen.push(`mail to ${event.payload.email} in ${tx}`);
        },
      },
      {
        event: 'accounts.member_registered',
        subscriber: 'projects.create_example_project',
        handle: async (event) => {
          seen.push(`project for ${event.aggregate_id}`);
        },
      },
    ]);

    expect(bus.subscribersOf('accounts.member_registered')).toEqual([
      'accounts.send_welcome_mail',
      'projects.create_example_project',
    ]);
    expect(bus.subscribersOf('accounts.member_deleted')).toEqual([]);
    await bus.deliver('projects.create_example_project', registered, 'tx-1');
    await bus.deliver('accounts.send_welcome_mail', registered, 'tx-2');
    expect(seen).toEqual(['project for 2', 'mail to ada@example.com in tx-2']);
  });

  it('refuses one subscriber subscribed twice to one event, and a malformed subscriber or event name', () => {
    const bus = new MessageBus();
    const subscription: Subscription<unknown> = {
      event: 'accounts.member_registered',
      subscriber: 'accounts.send_welcome_mail',
      handle: async () => undefined,
    };
    bus.subscribe([subscription]);
    expect(() => bus.subscribe([subscription])).toThrow(
      'Subscriber "accounts.send_welcome_mail" is subscribed to "accounts.member_registered" twice',
    );
    expect(() => bus.subscribe([{ ...subscription, subscriber: 'Welcome Mail' }])).toThrow(
      /context\.snake_case_name/,
    );
    expect(() =>
      bus.subscribe([
        { ...subscription, event: "accounts.member_registered' or true" as 'accounts.member_registered' },
      ]),
    ).toThrow('Event name "accounts.member_registered\' or true" is not of the form context.snake_case_name');
  });

  it('lets one subscriber name handle several events, so they reach it in order per aggregate', () => {
    const bus = new MessageBus();
    bus.subscribe([
      { event: 'accounts.member_registered', subscriber: 'projects.members', handle: async () => undefined },
      { event: 'accounts.member_deleted', subscriber: 'projects.members', handle: async () => undefined },
    ]);
    expect(bus.subscribers).toEqual(['projects.members']);
  });

  it('rejects a delivery to a subscriber it does not know', async () => {
    await expect(new MessageBus().deliver('nobody.here', registered, undefined)).rejects.toThrow(
      UnknownSubscriberError,
    );
  });

  it('types each subscription by its event name (checked by tsc, not at run time)', () => {
    const subscriptions: Subscription<unknown>[] = [
      // @ts-expect-error: no context publishes this event
      { event: 'accounts.member_registred', subscriber: 'a.b', handle: async () => undefined },
      {
        event: 'accounts.member_email_changed',
        subscriber: 'a.b',
        handle: async (event) => {
          const old: string = event.payload.old_email;
          // @ts-expect-error: member_email_changed has no `is_superuser`
          void event.payload.is_superuser;
          void old;
        },
      },
    ];
    expect(subscriptions).toHaveLength(2);
  });

  it('lets any stored event be handed to a typed subscription seen as an AnyEventSubscription', async () => {
    const seen: string[] = [];
    const typed: EventSubscription[] = [
      {
        event: 'accounts.member_registered',
        subscriber: 'accounts.send_welcome_mail',
        handle: async (event) => {
          seen.push(event.payload.email);
        },
      },
    ];
    const wide: readonly AnyEventSubscription[] = typed;
    const stored: DomainEvent = registered;
    await wide[0]!.handle(stored, undefined as unknown as Transaction<unknown>);
    expect(seen).toEqual(['ada@example.com']);
  });
});
