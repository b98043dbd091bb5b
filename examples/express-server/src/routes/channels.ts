import { NotFoundError, type Stockroom } from '@stockroom/core';
import { HttpProblem } from '../problem-details.js';
import {
  ChannelListQuery,
  ChannelListSchema,
  ChannelParams,
  ChannelSchema,
  CreateChannelBody,
  presentChannel,
  UpdateChannelBody,
} from '../schemas/channel.js';
import { ADMIN, ANY_ROLE, defineRoute, type Route } from './define-route.js';

/** /channels: sales channels (named sets of warehouses) and their display strategies. */
export function channelRoutes({ stockroom }: { stockroom: Stockroom }): Route[] {
  return [
    defineRoute({
      operationId: 'createChannel',
      method: 'post',
      path: '/channels',
      tag: 'Channels',
      summary: 'Create a sales channel: a named set of warehouses',
      roles: ADMIN,
      body: CreateChannelBody,
      success: { status: 201, description: 'The channel', schema: ChannelSchema },
      failures: ['ALREADY_EXISTS', 'NOT_FOUND'],
      async handle({ body }, call) {
        return presentChannel(await stockroom.channels.create(body, call.change));
      },
    }),
    defineRoute({
      operationId: 'listChannels',
      method: 'get',
      path: '/channels',
      tag: 'Channels',
      summary: 'Every sales channel, by id',
      roles: ANY_ROLE,
      query: ChannelListQuery,
      success: { status: 200, description: 'The channels', schema: ChannelListSchema },
      failures: [],
      async handle() {
        return { items: (await stockroom.channels.list()).map(presentChannel), nextCursor: null };
      },
    }),
    defineRoute({
      operationId: 'getChannel',
      method: 'get',
      path: '/channels/:id',
      tag: 'Channels',
      summary: 'One sales channel (a bound key: only its own)',
      roles: ANY_ROLE,
      params: ChannelParams,
      success: { status: 200, description: 'The channel', schema: ChannelSchema },
      failures: ['NOT_FOUND'],
      async handle({ params }, call) {
        const bound = call.principal.channelId;
        if (bound !== undefined && bound !== params.id) {
          throw new HttpProblem(
            'FORBIDDEN',
            `This API key is bound to sales channel ${bound} and may not read ${params.id}`,
          );
        }
        const channel = await stockroom.channels.get(params.id);
        if (!channel) throw new NotFoundError('channel', params.id);
        return presentChannel(channel);
      },
    }),
    defineRoute({
      operationId: 'updateChannel',
      method: 'patch',
      path: '/channels/:id',
      tag: 'Channels',
      summary: "Change a channel's name, warehouses or display strategy",
      roles: ADMIN,
      params: ChannelParams,
      body: UpdateChannelBody,
      success: { status: 200, description: 'The channel', schema: ChannelSchema },
      failures: ['NOT_FOUND'],
      async handle({ params, body }, call) {
        return presentChannel(await stockroom.channels.update(params.id, body, call.change));
      },
    }),
    defineRoute({
      operationId: 'deleteChannel',
      method: 'delete',
      path: '/channels/:id',
      tag: 'Channels',
      summary: 'Delete a channel (keys bound to it then get 404 on checks and reservations)',
      roles: ADMIN,
      params: ChannelParams,
      success: { status: 200, description: 'The deleted channel', schema: ChannelSchema },
      failures: ['NOT_FOUND'],
      async handle({ params }, call) {
        return presentChannel(await stockroom.channels.remove(params.id, call.change));
      },
    }),
  ];
}
