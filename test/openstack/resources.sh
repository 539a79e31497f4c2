# Sourced by control-plane-up.sh: what the control plane holds before the tests start, made
# through the APIs as an operator would: projects, users, roles and the service catalog in
# Keystone, flavors and quota in Nova, images in Glance. Passwords and tokens travel in files
# and on stdin, never on a command line another user could read.
# Needs STATE, HOST, TOKEN_LIFETIME_S, TOKEN_CACHE_S and the *_PASSWORD variables.

KEYSTONE=http://$HOST:5000/v3
NOVA=http://$HOST:8774/v2.1
GLANCE=http://$HOST:9292

# password_auth USER PASSWORD PROJECT -> Keystone's password authentication body
password_auth() {
  PASSWORD=$2 jq -n --arg user "$1" --arg project "$3" '{auth: {
    identity: {methods: ["password"], password: {user: {name: $user,
      domain: {id: "default"}, password: $ENV.PASSWORD}}},
    scope: {project: {name: $project, domain: {id: "default"}}}}}'
}

# admin_header -> a header file with a fresh admin token; tokens live $TOKEN_LIFETIME_S only
admin_header() {
  local file=$STATE/run/admin-token.header token
  if [ -z "$(find "$file" -newermt '20 seconds ago' 2> /dev/null)" ]; then
    token=$(password_auth admin "$ADMIN_PASSWORD" admin \
      | curl -sf -D - -o /dev/null -H 'Content-Type: application/json' --data @- \
        "$KEYSTONE/auth/tokens" \
      | awk 'tolower($1) == "x-subject-token:" { print $2 }' | tr -d '\r')
    [ -n "$token" ] || die "Keystone gave the admin no token"
    (umask 077 && printf 'X-Auth-Token: %s\n' "$token" > "$file")
  fi
  echo "$file"
}

# admin_api METHOD URL [JSON] -> the response body; dies on an error status
admin_api() {
  local method=$1 url=$2 body=${3:-} output status
  local args=(-s -o "$STATE/run/response" -w '%{http_code}' -X "$method"
    -H "@$(admin_header)" -H 'Content-Type: application/json')
  if [ -n "$body" ]; then
    status=$(printf '%s' "$body" | curl "${args[@]}" --data-binary @- "$url")
  else
    status=$(curl "${args[@]}" "$url")
  fi
  output=$(cat "$STATE/run/response")
  if [ "$status" -ge 400 ] || [ "$status" = 000 ]; then
    die "$method $url answered $status: $(head -c 300 <<< "$output")"
  fi
  printf '%s' "$output"
}

# wait_service BINARY SECONDS -> until Nova lists that service as up
wait_service() {
  local i state
  for ((i = 0; i < $2 * 2; i++)); do
    state=$(admin_api GET "$NOVA/os-services?binary=$1" | jq -r '.services[0].state // ""')
    [ "$state" = up ] && return 0
    is_ours "$1" || die "$1 exited; see $STATE/logs/$1.log"
    sleep 0.5
  done
  die "$1 was not up within $2 s; see $STATE/logs/$1.log"
}

# new_user NAME PASSWORD -> its id
new_user() {
  admin_api POST "$KEYSTONE/users" "$(PASSWORD=$2 jq -n --arg name "$1" \
    '{user: {name: $name, domain_id: "default", password: $ENV.PASSWORD}}')" | jq -r .user.id
}

# grant ROLE_ID PROJECT_ID USER_ID
grant() {
  admin_api PUT "$KEYSTONE/projects/$2/users/$3/roles/$1" > /dev/null
}

# catalog_entry TYPE NAME URL REGION... -> one service with all three interfaces per region
catalog_entry() {
  local type=$1 name=$2 url=$3 service region face
  shift 3
  service=$(admin_api POST "$KEYSTONE/services" \
    "{\"service\": {\"type\": \"$type\", \"name\": \"$name\"}}" | jq -r .service.id)
  for region in "$@"; do
    for face in public internal admin; do
      admin_api POST "$KEYSTONE/endpoints" "{\"endpoint\": {\"service_id\": \"$service\",
        \"interface\": \"$face\", \"region_id\": \"$region\", \"url\": \"$url\"}}" > /dev/null
    done
  done
}

create_identity() {
  local admin member service_role service_project user
  admin=$(admin_api GET "$KEYSTONE/roles?name=admin" | jq -r '.roles[0].id')
  member=$(admin_api GET "$KEYSTONE/roles?name=member" | jq -r '.roles[0].id')
  service_role=$(admin_api POST "$KEYSTONE/roles" '{"role": {"name": "service"}}' \
    | jq -r .role.id)
  service_project=$(admin_api POST "$KEYSTONE/projects" \
    '{"project": {"name": "service", "domain_id": "default"}}' | jq -r .project.id)
  # Nova's default policies want the service role on the token of its service user.
  for service in glance placement nova; do
    user=$(new_user "$service" "$SERVICE_PASSWORD")
    grant "$admin" "$service_project" "$user"
    grant "$service_role" "$service_project" "$user"
  done

  PROJECT_ID=$(admin_api POST "$KEYSTONE/projects" \
    '{"project": {"name": "whiskpool", "domain_id": "default"}}' | jq -r .project.id)
  USER_ID=$(new_user whiskpool "$USER_PASSWORD")
  grant "$member" "$PROJECT_ID" "$USER_ID"
  # A second user of the project, whose tokens a test revokes while the first one works on.
  SECOND_ID=$(new_user whiskpool-second "$SECOND_PASSWORD")
  grant "$member" "$PROJECT_ID" "$SECOND_ID"

  # The pool's own project, so that its run and the contract's do not see each other's
  # servers and quota, and can run side by side.
  POOL_PROJECT_ID=$(admin_api POST "$KEYSTONE/projects" \
    '{"project": {"name": "whiskpool-pool", "domain_id": "default"}}' | jq -r .project.id)
  grant "$member" "$POOL_PROJECT_ID" "$(new_user whiskpool-pool "$POOL_PASSWORD")"

  # A second region offers compute and images too, so that a client must pick by region.
  admin_api POST "$KEYSTONE/regions" '{"region": {"id": "RegionTwo"}}' > /dev/null
  catalog_entry compute nova "$NOVA" RegionOne RegionTwo
  catalog_entry image glance "$GLANCE" RegionOne RegionTwo
  catalog_entry placement placement "http://$HOST:8778" RegionOne
}

# upload_image NAME VARIABLE -> a public raw image, active; its id goes to VARIABLE
upload_image() {
  local id
  id=$(admin_api POST "$GLANCE/v2/images" "{\"name\": \"$1\", \"disk_format\": \"raw\",
    \"container_format\": \"bare\", \"visibility\": \"public\"}" | jq -r .id)
  head -c 65536 /dev/zero | curl -sf -X PUT -H "@$(admin_header)" \
    -H 'Content-Type: application/octet-stream' --data-binary @- "$GLANCE/v2/images/$id/file"
  printf -v "$2" '%s' "$id"
}

# queue_image NAME VARIABLE -> an image that has no data yet, as a snapshot being written
queue_image() {
  # Glance keeps creation times in whole seconds; this one must be the newest by name.
  sleep 1.1
  printf -v "$2" '%s' "$(admin_api POST "$GLANCE/v2/images" "{\"name\": \"$1\",
    \"disk_format\": \"raw\", \"container_format\": \"bare\", \"visibility\": \"public\"}" \
    | jq -r .id)"
}

# Nova's classic flavors, with the ids the OpenStack stand-in uses, so one suite fits both.
create_flavors() {
  local flavor id name ram vcpus disk
  for flavor in 1:m1.tiny:512:1:1 2:m1.small:2048:1:20 3:m1.medium:4096:2:40 \
    4:m1.large:8192:4:80 5:m1.xlarge:16384:8:160; do
    IFS=: read -r id name ram vcpus disk <<< "$flavor"
    admin_api POST "$NOVA/flavors" "{\"flavor\": {\"id\": \"$id\", \"name\": \"$name\",
      \"ram\": $ram, \"vcpus\": $vcpus, \"disk\": $disk}}" > /dev/null
  done
}

# The tests set their own limits where they need one; the default of 10 instances would
# otherwise refuse the pool's machines while deleted ones are still being counted.
lift_quota() {
  local project
  for project in "$PROJECT_ID" "$POOL_PROJECT_ID"; do
    admin_api PUT "$NOVA/os-quota-sets/$project" \
      '{"quota_set": {"instances": -1, "cores": -1, "ram": -1}}' > /dev/null
  done
}

write_cloud_json() {
  # Passwords reach jq through its environment, which only root can read.
  (umask 077 && USER_PASSWORD=$USER_PASSWORD SECOND_PASSWORD=$SECOND_PASSWORD \
    POOL_PASSWORD=$POOL_PASSWORD ADMIN_PASSWORD=$ADMIN_PASSWORD jq -n \
    --arg authUrl "$KEYSTONE" --arg projectId "$PROJECT_ID" --arg userId "$USER_ID" \
    --arg image "$IMAGE_NAME" --arg newer "$newer_image_id" --arg older "$older_image_id" \
    --arg queued "$queued_image_id" --argjson lifetime "$TOKEN_LIFETIME_S" \
    --argjson cache "$TOKEN_CACHE_S" --arg secondId "$SECOND_ID" \
    --arg poolProjectId "$POOL_PROJECT_ID" \
    '{authUrl: $authUrl, regionName: "RegionOne", regions: ["RegionOne", "RegionTwo"],
      username: "whiskpool", password: $ENV.USER_PASSWORD, projectName: "whiskpool",
      projectId: $projectId, userId: $userId,
      secondUser: {username: "whiskpool-second", password: $ENV.SECOND_PASSWORD,
        userId: $secondId},
      poolProject: {username: "whiskpool-pool", password: $ENV.POOL_PASSWORD,
        projectName: "whiskpool-pool", projectId: $poolProjectId},
      admin: {username: "admin", password: $ENV.ADMIN_PASSWORD, projectName: "admin"},
      tokenLifetimeMs: ($lifetime * 1000), tokenCacheMs: ($cache * 1000),
      image: {name: $image, newestActiveId: $newer, olderActiveId: $older,
        queuedId: $queued}}' > "$STATE/cloud.json")
  (umask 077 && cat > "$STATE/openrc" <<EOF
export OS_AUTH_URL=$KEYSTONE
export OS_IDENTITY_API_VERSION=3
export OS_USERNAME=whiskpool
export OS_PASSWORD=$USER_PASSWORD
export OS_PROJECT_NAME=whiskpool
export OS_USER_DOMAIN_NAME=Default
export OS_PROJECT_DOMAIN_NAME=Default
export OS_REGION_NAME=RegionOne
EOF
  )
}
