{{/*
Names, labels and the per-service values every template shares. Templates loop over
.Values.services and call these with a dict: root (the top context), name (service), svc (its
merged values, from fitness.serviceValues), component (api | relay | worker | migrate).
*/}}

{{- define "fitness.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "fitness.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "fitness.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* A service's values: serviceDefaults deep-merged under services.<name>. Returns YAML. */}}
{{- define "fitness.serviceValues" -}}
{{- $own := index .root.Values.services .name | default dict -}}
{{- toYaml (mergeOverwrite (deepCopy .root.Values.serviceDefaults) (deepCopy $own)) -}}
{{- end -}}

{{/* Resource name of one component: <fullname>-<service>[-<component>] (the API has no suffix). */}}
{{- define "fitness.componentName" -}}
{{- $base := printf "%s-%s" (include "fitness.fullname" .root) .name -}}
{{- if or (not .component) (eq .component "api") -}}
{{- $base | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" $base .component | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "fitness.selectorLabels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- if .component }}
app.kubernetes.io/component: {{ .component }}
{{- end }}
{{- end -}}

{{- define "fitness.labels" -}}
helm.sh/chart: {{ include "fitness.chart" .root }}
{{ include "fitness.selectorLabels" . }}
app.kubernetes.io/part-of: {{ include "fitness.name" .root }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
{{- end -}}

{{- define "fitness.envPrefix" -}}
{{- default (.name | upper | replace "-" "_") .svc.envPrefix -}}
{{- end -}}

{{- define "fitness.image" -}}
{{- $g := .root.Values.global.image -}}
{{- $repo := default (printf "fitness-%s" .name) .svc.image.repository -}}
{{- $tag := .svc.image.tag | default $g.tag | default .root.Chart.AppVersion -}}
{{- if $g.registry -}}
{{- printf "%s/%s:%s" (trimSuffix "/" $g.registry) $repo $tag -}}
{{- else -}}
{{- printf "%s:%s" $repo $tag -}}
{{- end -}}
{{- end -}}

{{- define "fitness.serviceAccountName" -}}
{{- if .root.Values.serviceAccount.create -}}
{{- include "fitness.componentName" (dict "root" .root "name" .name) -}}
{{- else -}}
default
{{- end -}}
{{- end -}}

{{/* Plain settings of a service (global.env, then its own env), prefixed and rendered with tpl. */}}
{{- define "fitness.plainEnv" -}}
{{- $prefix := include "fitness.envPrefix" . -}}
{{- $env := merge (deepCopy (.svc.env | default dict)) (deepCopy .root.Values.global.env) -}}
{{- range $key := keys $env | sortAlpha }}
{{- $value := tpl (toString (index $env $key)) $.root }}
{{- /* An empty value means "unset": the service's own default applies. */}}
{{- if $value }}
{{ printf "%s_%s" $prefix $key }}: {{ $value | quote }}
{{- end }}
{{- end }}
{{- end -}}

{{/* Secret-backed settings as container env entries. */}}
{{- define "fitness.secretEnv" -}}
{{- $prefix := include "fitness.envPrefix" . -}}
{{- range $key := keys (.svc.secretEnv | default dict) | sortAlpha }}
{{- $ref := index $.svc.secretEnv $key }}
- name: {{ printf "%s_%s" $prefix $key }}
  valueFrom:
    secretKeyRef:
      name: {{ tpl $ref.name $.root }}
      key: {{ $ref.key }}
{{- end }}
{{- end -}}

{{/* Pod-level fields shared by every Deployment and the migrations Job. */}}
{{- define "fitness.podCommon" -}}
automountServiceAccountToken: false
{{- with .root.Values.global.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml .svc.podSecurityContext | nindent 2 }}
{{- with .svc.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .svc.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .svc.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* Volumes: a size-capped emptyDir for /tmp (the root filesystem is read-only) + extras. */}}
{{- define "fitness.volumes" -}}
volumes:
  - name: tmp
    emptyDir:
      sizeLimit: {{ .svc.tmpSizeLimit }}
{{- with .svc.extraVolumes }}
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{- define "fitness.volumeMounts" -}}
volumeMounts:
  - name: tmp
    mountPath: /tmp
{{- with .svc.extraVolumeMounts }}
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}
