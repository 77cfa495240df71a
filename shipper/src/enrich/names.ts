// Fills user/group names wherever normalize left an id without a name. Names already present win: they
// came from the record itself (the ENRICHED format's AUID="bob", or a user-space record's acct=), which
// reflects the origin host at the time of the event better than our copy of /etc/passwd does now.
import type { EcsEvent, EcsUserRef } from '../../../common/ecs/event';
import type { UserResolver } from './users';

const USER_ROLES = ['audit', 'effective', 'filesystem', 'saved', 'target', 'changes'] as const;

export function resolveNames(ev: EcsEvent, users: UserResolver): void {
  const added: string[] = [];
  const u = ev.user;
  if (u) {
    fillUser(u, users, added);
    for (const role of USER_ROLES) {
      const r = u[role];
      if (r && typeof r === 'object') fillUser(r, users, added);
    }
  }
  if (ev.group?.id !== undefined && ev.group.name === undefined) {
    const n = users.groupName(ev.group.id);
    if (n !== undefined) ev.group.name = n;
  }
  const p = ev.process;
  if (p?.user?.id !== undefined && p.user.name === undefined) {
    const n = users.userName(p.user.id);
    if (n !== undefined) p.user.name = n;
  }
  if (p?.group?.id !== undefined && p.group.name === undefined) {
    const n = users.groupName(p.group.id);
    if (n !== undefined) p.group.name = n;
  }
  const f = ev.file;
  if (f) {
    if (f.uid !== undefined && f.owner === undefined) {
      const n = users.userName(f.uid);
      if (n !== undefined) f.owner = n;
    }
    if (f.gid !== undefined && f.group === undefined) {
      const n = users.groupName(f.gid);
      if (n !== undefined) f.group = n;
    }
  }
  if (added.length) {
    // related.user is what "everything Bob did" searches use; Auditbeat lists names there, so do we.
    const rel = (ev.related ??= {});
    const list = (rel.user ??= []);
    for (const n of added) if (!list.includes(n)) list.push(n);
  }
}

function fillUser(r: EcsUserRef, users: UserResolver, added: string[]): void {
  if (r.id !== undefined && r.name === undefined) {
    const n = users.userName(r.id);
    if (n !== undefined) {
      r.name = n;
      added.push(n);
    }
  }
  const g = r.group;
  if (g?.id !== undefined && g.name === undefined) {
    const n = users.groupName(g.id);
    if (n !== undefined) g.name = n;
  }
}
