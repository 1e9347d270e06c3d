{{/*
Helpers of the caserouter chart. Names are truncated to 63 characters: Kubernetes names and
label values allow no more.
*/}}

{{/* Chart name, overridable. */}}
{{- define "caserouter.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name of the release's resources: release-chart unless the release already says it. */}}
{{- define "caserouter.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* chart-version, as in the helm.sh/chart label. */}}
{{- define "caserouter.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels that select the release's pods. Never change them in an upgrade: selectors are immutable. */}}
{{- define "caserouter.selectorLabels" -}}
app.kubernetes.io/name: {{ include "caserouter.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Standard labels of every resource, plus the routing domain. */}}
{{- define "caserouter.labels" -}}
helm.sh/chart: {{ include "caserouter.chart" . }}
{{ include "caserouter.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/component: router
app.kubernetes.io/part-of: caserouter
app.kubernetes.io/managed-by: {{ .Release.Service }}
caserouter.io/domain: {{ .Values.domain | quote }}
{{- end }}

{{/* Service account the pods run as. */}}
{{- define "caserouter.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "caserouter.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Image reference; the tag defaults to the chart's appVersion. */}}
{{- define "caserouter.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}

{{/* Full name of the bitnami/redis subchart, computed as that chart does. */}}
{{- define "caserouter.redisFullname" -}}
{{- if .Values.redis.fullnameOverride }}
{{- .Values.redis.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else if contains "redis" .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-redis" .Release.Name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{/*
host:port the router writes to. The subchart's "<fullname>-master" Service follows the
primary (with Sentinel: sentinel.masterService.enabled); the router's hiredis client does not
speak the Sentinel protocol itself.
*/}}
{{- define "caserouter.redisAddress" -}}
{{- if .Values.redis.enabled }}
{{- printf "%s-master:6379" (include "caserouter.redisFullname" .) }}
{{- else }}
{{- .Values.redis.address }}
{{- end }}
{{- end }}

{{/* Secret with the Redis password: the one named in values, else the subchart's own. Empty: none. */}}
{{- define "caserouter.redisPasswordSecret" -}}
{{- if .Values.redis.passwordSecret.name }}
{{- .Values.redis.passwordSecret.name }}
{{- else if .Values.redis.enabled }}
{{- include "caserouter.redisFullname" . }}
{{- end }}
{{- end }}

{{/* Redis port, for the NetworkPolicy: the part of the address after the last colon. */}}
{{- define "caserouter.redisPort" -}}
{{- include "caserouter.redisAddress" . | splitList ":" | last }}
{{- end }}

{{/* The router configuration file: config values with the release's domain written in. */}}
{{- define "caserouter.configFile" -}}
{{- merge (dict "domain" .Values.domain) (deepCopy .Values.config) | toYaml }}
{{- end }}
